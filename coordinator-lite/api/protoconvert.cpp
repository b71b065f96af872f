#include "protoconvert.h"

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

grpc::Status toGrpc(const absl::Status &status)
{
    const std::string message(status.message());
    switch (status.code()) {
    case absl::StatusCode::kOk:
        return grpc::Status::OK;
    case absl::StatusCode::kCancelled:
        return {grpc::StatusCode::CANCELLED, message};
    case absl::StatusCode::kUnknown:
        return {grpc::StatusCode::UNKNOWN, message};
    case absl::StatusCode::kInvalidArgument:
        return {grpc::StatusCode::INVALID_ARGUMENT, message};
    case absl::StatusCode::kDeadlineExceeded:
        return {grpc::StatusCode::DEADLINE_EXCEEDED, message};
    case absl::StatusCode::kNotFound:
        return {grpc::StatusCode::NOT_FOUND, message};
    case absl::StatusCode::kAlreadyExists:
        return {grpc::StatusCode::ALREADY_EXISTS, message};
    case absl::StatusCode::kPermissionDenied:
        return {grpc::StatusCode::PERMISSION_DENIED, message};
    case absl::StatusCode::kResourceExhausted:
        return {grpc::StatusCode::RESOURCE_EXHAUSTED, message};
    case absl::StatusCode::kFailedPrecondition:
        return {grpc::StatusCode::FAILED_PRECONDITION, message};
    case absl::StatusCode::kAborted:
        return {grpc::StatusCode::ABORTED, message};
    case absl::StatusCode::kOutOfRange:
        return {grpc::StatusCode::OUT_OF_RANGE, message};
    case absl::StatusCode::kUnimplemented:
        return {grpc::StatusCode::UNIMPLEMENTED, message};
    case absl::StatusCode::kInternal:
        return {grpc::StatusCode::INTERNAL, message};
    case absl::StatusCode::kUnavailable:
        return {grpc::StatusCode::UNAVAILABLE, message};
    case absl::StatusCode::kDataLoss:
        return {grpc::StatusCode::DATA_LOSS, message};
    case absl::StatusCode::kUnauthenticated:
        return {grpc::StatusCode::UNAUTHENTICATED, message};
    default:
        break;
    }
    return {grpc::StatusCode::UNKNOWN, message};
}

}  // namespace coord::api
