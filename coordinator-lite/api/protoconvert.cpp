#include "protoconvert.h"

#include <algorithm>

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

namespace coord::api {

using namespace domain;

void toProto(const TxSummary &in, pb::TransactionSummary *out)
{
    out->set_gid(in.gid);
    out->set_type(static_cast<pb::TxType>(in.type));
    out->set_status(static_cast<pb::TxStatus>(in.status));
    out->set_business_key(in.businessKey);
    out->set_flow_name(in.flowName);
    out->set_created_ms(in.createdMs);
    out->set_updated_ms(in.updatedMs);
    out->set_finished_ms(in.finishedMs);
    out->set_next_retry_ms(in.nextRetryMs);
    out->set_rollback_reason(in.rollbackReason);
    out->set_retry_paused(in.retryPaused);
    out->set_branch_count(in.branchCount);
    out->set_stuck_reason(in.stuckReason);
    out->set_owner(in.owner);
    out->set_lease_expires_ms(in.leaseExpiresMs);
    out->set_last_seq(in.lastSeq);
    out->set_origin(static_cast<pb::TxOrigin>(in.origin));
    out->set_retry_attempts(in.retryAttempts);
}

void toProto(const Attempt &in, pb::Attempt *out)
{
    out->set_started_ms(in.startedMs);
    out->set_ended_ms(in.endedMs);
    out->set_outcome(static_cast<pb::AttemptOutcome>(in.outcome));
    out->set_status_code(in.statusCode);
    out->set_error(in.error);
    out->set_response_excerpt(in.responseExcerpt);
}

void toProto(const Transaction &in, pb::Transaction *out)
{
    toProto(in.summary, out->mutable_summary());
    out->mutable_summary()->set_branch_count(static_cast<int>(in.branches.size()));
    out->set_flow_json(in.flowJson);
    for (const Branch &b : in.branches) {
        pb::Branch *pbb = out->add_branches();
        pbb->set_id(b.id);
        pbb->set_name(b.name);
        for (const std::string &a : b.after)
            pbb->add_after(a);
        pbb->set_not_rollbackable(b.notRollbackable);
        for (const Operation &op : b.ops) {
            pb::Operation *pbo = pbb->add_ops();
            pbo->set_op(static_cast<pb::OpKind>(op.op));
            pbo->set_endpoint(op.endpoint);
            pbo->set_status(static_cast<pb::OpStatus>(op.status));
            pbo->set_attempt_count(op.attemptCount);
            for (const Attempt &a : op.attempts)
                toProto(a, pbo->add_attempts());
        }
    }
}

void toProto(const Event &in, pb::Event *out)
{
    out->set_seq(in.seq);
    out->set_at_ms(in.atMs);
    out->set_kind(static_cast<pb::EventKind>(in.kind));
    out->set_gid(in.summary.gid);
    toProto(in.summary, out->mutable_summary());
    out->set_branch_id(in.branchId);
    if (in.op)
        out->set_op(static_cast<pb::OpKind>(*in.op));
    if (in.opStatus)
        out->set_op_status(static_cast<pb::OpStatus>(*in.opStatus));
    if (in.attempt)
        toProto(*in.attempt, out->mutable_attempt());
    out->set_message(in.message);
}

void toProto(const ActionPlan &in, pb::ActionPlan *out)
{
    for (const PlannedOperation &p : in.operations) {
        pb::PlannedOperation *o = out->add_operations();
        o->set_step(p.step);
        o->set_branch_id(p.branchId);
        o->set_op(static_cast<pb::OpKind>(p.op));
        o->set_endpoint(p.endpoint);
    }
    for (const std::string &b : in.notRollbackable)
        out->add_not_rollbackable(b);
    out->set_resulting_status(static_cast<pb::TxStatus>(in.resultingStatus));
    out->set_summary(in.summary);
    for (const std::string &w : in.warnings)
        out->add_warnings(w);
}

ActionPlan fromProto(const pb::ActionPlan &in)
{
    ActionPlan out;
    for (const pb::PlannedOperation &o : in.operations())
        out.operations.push_back(
            {o.step(), o.branch_id(), static_cast<OpKind>(o.op()), o.endpoint()});
    out.notRollbackable.assign(in.not_rollbackable().begin(), in.not_rollbackable().end());
    out.resultingStatus = static_cast<TxStatus>(
        std::clamp(int(in.resulting_status()), int(TxStatus::Prepared), int(TxStatus::Failed)));
    out.summary = in.summary();
    out.warnings.assign(in.warnings().begin(), in.warnings().end());
    return out;
}

void toProto(const ActionCommand &in, pb::ActionRequest *out)
{
    out->set_gid(in.gid);
    out->set_branch_id(in.branchId);
    out->set_reason(in.reason);
    out->set_dry_run(in.dryRun);
}

void toProto(const ActionCommand &in, pb::ResolveRequest *out)
{
    out->set_gid(in.gid);
    out->set_branch_id(in.branchId);
    out->set_op(static_cast<pb::OpKind>(in.op));
    out->set_as(static_cast<pb::OpStatus>(in.as));
    out->set_reason(in.reason);
}

void toProto(const ActionCommand &in, pb::RetryRequest *out)
{
    out->set_gid(in.gid);
    out->set_reason(in.reason);
    out->set_dry_run(in.dryRun);
}

ActionCommand fromProto(const pb::ActionRequest &in, OperatorAction action)
{
    ActionCommand out;
    out.action = action;
    out.gid = in.gid();
    out.branchId = in.branch_id();
    out.reason = in.reason();
    out.dryRun = in.dry_run();
    return out;
}

ActionCommand fromProto(const pb::ResolveRequest &in)
{
    ActionCommand out;
    out.action = OperatorAction::Resolve;
    out.gid = in.gid();
    out.branchId = in.branch_id();
    out.op = static_cast<OpKind>(in.op());
    out.as = static_cast<OpStatus>(in.as());
    out.reason = in.reason();
    return out;
}

ActionCommand fromProto(const pb::RetryRequest &in)
{
    ActionCommand out;
    out.action = OperatorAction::Retry;
    out.gid = in.gid();
    out.reason = in.reason();
    out.dryRun = in.dry_run();
    return out;
}

void toProto(const AuditEntry &in, pb::AuditEntry *out)
{
    out->set_id(in.id);
    out->set_at_ms(in.atMs);
    out->set_who(in.who);
    out->set_role(in.role);
    out->set_action(in.action);
    out->set_gid(in.gid);
    out->set_branch_id(in.branchId);
    out->set_reason(in.reason);
    out->set_state_before(in.stateBefore);
    out->set_state_after(in.stateAfter);
    out->set_outcome(in.outcome);
    out->set_detail(in.detail);
}

absl::StatusOr<ListQuery> fromProto(const pb::ListRequest &in)
{
    ListQuery q;
    for (int s : in.statuses()) {
        if (s < int(TxStatus::Prepared) || s > int(TxStatus::Failed))
            return absl::InvalidArgumentError(absl::StrCat("statuses: unknown status ", s));
        q.statuses.push_back(static_cast<TxStatus>(s));
    }
    for (int t : in.types()) {
        if (t < int(TxType::Saga) || t > int(TxType::Tcc))
            return absl::InvalidArgumentError(absl::StrCat("types: unknown type ", t));
        q.types.push_back(static_cast<TxType>(t));
    }
    if (in.text().size() > 256)
        return absl::InvalidArgumentError("text: longer than 256 bytes");
    q.text = in.text();
    q.createdAfterMs = in.created_after_ms();
    q.createdBeforeMs = in.created_before_ms();
    q.stuckOnly = in.stuck_only();
    if (!in.cursor().empty() && (!absl::SimpleAtoi(in.cursor(), &q.cursor) || q.cursor <= 0))
        return absl::InvalidArgumentError("cursor: not a cursor returned by List");
    if (in.limit() < 0 || in.limit() > 10000)
        return absl::InvalidArgumentError("limit: must be between 0 and 10000");
    q.limit = in.limit() == 0 ? 100 : in.limit();
    return q;
}

void toProto(const ListQuery &in, pb::ListRequest *out)
{
    for (TxStatus s : in.statuses)
        out->add_statuses(static_cast<pb::TxStatus>(s));
    for (TxType t : in.types)
        out->add_types(static_cast<pb::TxType>(t));
    out->set_text(in.text);
    out->set_created_after_ms(in.createdAfterMs);
    out->set_created_before_ms(in.createdBeforeMs);
    out->set_stuck_only(in.stuckOnly);
    if (in.cursor > 0)
        out->set_cursor(std::to_string(in.cursor));
    out->set_limit(in.limit);
}

namespace {

// Values from the wire are checked: an unknown enum value maps to a safe default.
template <typename E>
E enumFrom(int value, int first, int last, E fallback)
{
    return value >= first && value <= last ? static_cast<E>(value) : fallback;
}

}  // namespace

TxSummary fromProto(const pb::TransactionSummary &in)
{
    TxSummary t;
    t.gid = in.gid();
    t.type = enumFrom(in.type(), 1, 2, TxType::Saga);
    t.status = enumFrom(in.status(), 1, 5, TxStatus::Submitted);
    t.businessKey = in.business_key();
    t.flowName = in.flow_name();
    t.createdMs = in.created_ms();
    t.updatedMs = in.updated_ms();
    t.finishedMs = in.finished_ms();
    t.nextRetryMs = in.next_retry_ms();
    t.rollbackReason = in.rollback_reason();
    t.retryPaused = in.retry_paused();
    t.branchCount = in.branch_count();
    t.stuckReason = in.stuck_reason();
    t.owner = in.owner();
    t.leaseExpiresMs = in.lease_expires_ms();
    t.lastSeq = in.last_seq();
    t.origin = enumFrom(in.origin(), 0, 2, TxOrigin::Native);
    t.retryAttempts = std::max(in.retry_attempts(), 0);
    return t;
}

Attempt fromProto(const pb::Attempt &in)
{
    Attempt a;
    a.startedMs = in.started_ms();
    a.endedMs = in.ended_ms();
    a.outcome = enumFrom(in.outcome(), 1, 4, AttemptOutcome::Transient);
    a.statusCode = in.status_code();
    a.error = in.error();
    a.responseExcerpt = in.response_excerpt();
    return a;
}

Transaction fromProto(const pb::Transaction &in)
{
    Transaction t;
    t.summary = fromProto(in.summary());
    t.flowJson = in.flow_json();
    for (const pb::Branch &pbb : in.branches()) {
        Branch b;
        b.id = pbb.id();
        b.name = pbb.name();
        b.after.assign(pbb.after().begin(), pbb.after().end());
        b.notRollbackable = pbb.not_rollbackable();
        for (const pb::Operation &pbo : pbb.ops()) {
            Operation op;
            op.op = enumFrom(pbo.op(), 1, 5, OpKind::Action);
            op.endpoint = pbo.endpoint();
            op.status = enumFrom(pbo.status(), 1, 5, OpStatus::Pending);
            op.attemptCount = pbo.attempt_count();
            for (const pb::Attempt &a : pbo.attempts())
                op.attempts.push_back(fromProto(a));
            b.ops.push_back(std::move(op));
        }
        t.branches.push_back(std::move(b));
    }
    return t;
}

Event fromProto(const pb::Event &in)
{
    Event e;
    e.seq = in.seq();
    e.atMs = in.at_ms();
    e.kind = enumFrom(in.kind(), 1, 5, EventKind::TxStatusChanged);
    e.summary = fromProto(in.summary());
    e.branchId = in.branch_id();
    if (in.op() != pb::OP_KIND_UNSPECIFIED)
        e.op = enumFrom(in.op(), 1, 5, OpKind::Action);
    if (in.op_status() != pb::OP_STATUS_UNSPECIFIED)
        e.opStatus = enumFrom(in.op_status(), 1, 5, OpStatus::Pending);
    if (in.has_attempt())
        e.attempt = fromProto(in.attempt());
    e.message = in.message();
    return e;
}

}  // namespace coord::api
