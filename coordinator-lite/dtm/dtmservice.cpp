#include "dtmservice.h"

#include "engine/engine.h"
#include "storage/store.h"

#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <chrono>

namespace coord::dtm {

using namespace domain;
using engine::Engine;

namespace {

int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Enough of a transaction's history to judge its last round.
constexpr int kAttemptsRead = 20;

const Attempt *lastAttempt(const Operation &o)
{
    return o.attempts.empty() ? nullptr : &o.attempts.back();
}

// The answer to a TCC submit or abort with wait_result, after one round (dtmsvr/trans_type_tcc.go:
// the first confirm or cancel error is the round's error; trans_process.go maps it).
DtmAnswer tccRoundAnswer(const Transaction &tx, OpKind op, bool submitting)
{
    const TxStatus done = submitting ? TxStatus::Succeeded : TxStatus::Failed;
    if (tx.summary.status == done)
        return DtmAnswer::success();
    for (auto b = tx.branches.rbegin(); b != tx.branches.rend(); ++b) {
        const Operation *o = b->find(op);
        if (!o || o->status == OpStatus::Succeeded || o->status == OpStatus::Skipped)
            continue;
        const Attempt *a = lastAttempt(*o);
        if (!a)
            break;
        const std::string answer = a->responseExcerpt.empty() ? a->error : a->responseExcerpt;
        switch (a->outcome) {
        case AttemptOutcome::Ongoing:
            return {DtmAnswer::Kind::Ongoing, "ONGOING", {}};
        case AttemptOutcome::Failure:
            return DtmAnswer::failure(answer);
        default:
            return DtmAnswer::error(answer);
        }
    }
    return DtmAnswer::failure("wait result not return success:");
}

}  // namespace

DtmAnswer DtmAnswer::fromStatus(const absl::Status &status)
{
    std::string m(status.message());
    switch (status.code()) {
    case absl::StatusCode::kOk:
        return success();
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
        return {Kind::Invalid, m, {}};
    case absl::StatusCode::kUnauthenticated:
        return {Kind::Unauthenticated, m, {}};
    case absl::StatusCode::kPermissionDenied:
        return {Kind::PermissionDenied, m, {}};
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
        return {Kind::Unavailable, m, {}};
    case absl::StatusCode::kFailedPrecondition:
        return failure(m);
    default:
        return error(m);
    }
}

std::string DtmAnswer::failureText() const
{
    if (absl::EndsWith(message, "FAILURE"))
        return message;
    return message.empty() ? "FAILURE" : absl::StrCat(message, " FAILURE");
}

DtmService::DtmService(storage::Store &store, engine::Engine &engine, flow::FlowLimits limits)
    : m_store(store), m_engine(engine), m_limits(limits)
{}

std::string DtmService::statusName(TxStatus status)
{
    switch (status) {
    case TxStatus::Prepared:
        return "prepared";
    case TxStatus::Submitted:
        return "submitted";
    case TxStatus::Aborting:
        return "aborting";
    case TxStatus::Succeeded:
        return "succeed";
    case TxStatus::Failed:
        return "failed";
    }
    return "submitted";
}

std::optional<TxStatus> DtmService::statusFromName(std::string_view name)
{
    for (TxStatus s : {TxStatus::Prepared, TxStatus::Submitted, TxStatus::Aborting,
                       TxStatus::Succeeded, TxStatus::Failed})
        if (statusName(s) == name)
            return s;
    return std::nullopt;
}

std::string DtmService::typeName(TxType type) { return type == TxType::Saga ? "saga" : "tcc"; }

std::optional<DtmAnswer> DtmService::refuseType(const std::string &transType,
                                                std::initializer_list<const char *> accepted)
{
    for (const char *a : accepted)
        if (transType == a)
            return std::nullopt;
    if (transType.empty())
        return DtmAnswer{DtmAnswer::Kind::Invalid, "trans_type: required (saga or tcc)", {}};
    if (transType == "saga" || transType == "tcc")  // supported, but not by this call
        return DtmAnswer::failure(absl::StrCat(
            "this call takes ", absl::StrJoin(accepted, " or "), " transactions, not ", transType,
            transType == "saga" ? " (a saga is submitted in one call)." : "."));
    return DtmAnswer::failure(absl::StrCat(
        "trans_type '", transType.substr(0, 32),
        "' is not supported by coordinator-lite, which runs saga and tcc transactions (msg, xa "
        "and workflow are not supported)."));
}

bool DtmService::readsBlock() const { return m_store.readsBlock(); }

DtmAnswer DtmService::newGid()
{
    return {DtmAnswer::Kind::Success, {}, Engine::generateGid(nowMs())};
}

void DtmService::prepare(const DtmTrans &t, TxOrigin origin, Reply reply)
{
    if (auto refused = refuseType(t.transType, {"tcc"}))
        return reply(*refused);
    if (auto s = checkTrans(t, m_limits); !s.ok())
        return reply(DtmAnswer::fromStatus(s));
    // dtmsvr/api.go svcPrepare: preparing again is fine while prepared, refused after.
    auto existing = m_store.get(t.gid, 1);
    if (existing.ok()) {
        if (existing->summary.status == TxStatus::Prepared)
            return reply(DtmAnswer::success());
        return reply(DtmAnswer::failure(absl::StrCat(
            "current status '", statusName(existing->summary.status), "', cannot prepare.")));
    }
    if (!absl::IsNotFound(existing.status()))
        return reply(DtmAnswer::fromStatus(existing.status()));
    engine::PrepareCommand cmd;
    cmd.gid = t.gid;
    cmd.timeoutToFailMs = t.timeoutToFailS * 1000;  // 0: the coordinator's prepared timeout
    cmd.requestTimeoutMs = t.requestTimeoutS > 0 ? t.requestTimeoutS * 1000
                                                 : kDefaultRequestTimeoutMs;
    cmd.retryIntervalMs = t.retryIntervalS > 0 ? t.retryIntervalS * 1000 : kDefaultRetryIntervalMs;
    cmd.flowName = "DTM TCC";
    cmd.origin = origin;
    cmd.branchHeaders = t.branchHeaders;
    m_engine.prepare(std::move(cmd), [reply, gid = t.gid, this](absl::StatusOr<Transaction> r) {
        if (!r.ok() && absl::IsAlreadyExists(r.status())) {
            // A concurrent prepare of the same gid won: the same answer as a repeat.
            auto now = m_store.get(gid, 1);
            if (now.ok() && now->summary.status == TxStatus::Prepared)
                return reply(DtmAnswer::success());
        }
        reply(r.ok() ? DtmAnswer::success() : DtmAnswer::fromStatus(r.status()));
    });
}

void DtmService::submit(const DtmTrans &t, TxOrigin origin, Reply reply)
{
    if (auto refused = refuseType(t.transType, {"saga", "tcc"}))
        return reply(*refused);
    if (auto s = checkTrans(t, m_limits); !s.ok())
        return reply(DtmAnswer::fromStatus(s));
    if (t.transType == "tcc")
        return submitTcc(t, std::move(reply));
    submitSaga(t, origin, std::move(reply));
}

void DtmService::submitSaga(const DtmTrans &t, TxOrigin origin, Reply reply)
{
    // dtmsvr/api.go svcSubmit: a repeated submit of a submitted saga is accepted; one that has
    // moved on is refused. (DTM also runs one more round; our engine is already driving it.)
    auto existing = m_store.get(t.gid, 1);
    if (existing.ok()) {
        const TxStatus s = existing->summary.status;
        if (s == TxStatus::Submitted)
            return reply(DtmAnswer::success());
        return reply(DtmAnswer::failure(
            absl::StrCat("current status '", statusName(s), "', cannot sumbmit.")));
    }
    if (!absl::IsNotFound(existing.status()))
        return reply(DtmAnswer::fromStatus(existing.status()));
    auto flow = sagaFlow(t);
    if (!flow.ok())
        return reply(DtmAnswer::fromStatus(flow.status()));
    engine::SubmitCommand cmd;
    cmd.gid = t.gid;
    cmd.flow = std::move(*flow);
    cmd.origin = origin;
    cmd.gidLookedUp = true;  // just above: one read per submit, not two
    const bool waitResult = t.waitResult;
    m_engine.submit(std::move(cmd), [reply, waitResult](absl::StatusOr<Transaction> r) {
        if (!r.ok())
            return reply(DtmAnswer::fromStatus(r.status()));
        if (!waitResult || r->summary.status == TxStatus::Succeeded)
            return reply(DtmAnswer::success());
        // dtmsvr/trans_process.go processWithWaitResult: not succeeded after the round.
        const std::string &reason = r->summary.rollbackReason;
        reply(DtmAnswer::failure(reason.empty() ? "wait result not return success:" : reason));
    });
}

void DtmService::submitTcc(const DtmTrans &t, Reply reply)
{
    auto existing = m_store.get(t.gid, 1);
    if (!existing.ok())
        return reply(
            absl::IsNotFound(existing.status())
                ? DtmAnswer::failure(absl::StrCat("no prepared transaction with gid: ", t.gid,
                                                  "; a TCC is prepared before it is submitted."))
                : DtmAnswer::fromStatus(existing.status()));
    const TxStatus s = existing->summary.status;
    if (s == TxStatus::Submitted)  // dtmsvr/api.go svcSubmit: accepted again
        return reply(DtmAnswer::success());
    if (s != TxStatus::Prepared)
        return reply(DtmAnswer::failure(
            absl::StrCat("current status '", statusName(s), "', cannot sumbmit.")));
    const bool wait = t.waitResult;
    m_engine.finishPrepared(t.gid, Engine::Finish::Commit, {},
                            wait ? Engine::AnswerWhen::Round : Engine::AnswerWhen::Durable,
                            [reply, wait](absl::StatusOr<Transaction> r) {
                                if (!r.ok())
                                    return reply(DtmAnswer::fromStatus(r.status()));
                                reply(wait ? tccRoundAnswer(*r, OpKind::Confirm, true)
                                           : DtmAnswer::success());
                            });
}

void DtmService::abort(const DtmTrans &t, Reply reply)
{
    if (auto refused = refuseType(t.transType, {"tcc"}))
        return reply(*refused);
    if (t.gid.empty())
        return reply({DtmAnswer::Kind::Invalid, "gid: required", {}});
    auto existing = stored(t.gid, reply);
    if (!existing)
        return;
    const TxStatus s = existing->summary.status;
    // dtmsvr/api.go svcAbort: tcc in prepared or aborting; the text names the stored type.
    if (s == TxStatus::Aborting)
        return reply(DtmAnswer::success());
    if (s != TxStatus::Prepared || existing->summary.type != TxType::Tcc)
        return reply(DtmAnswer::failure(
            absl::StrCat("trans type: '", typeName(existing->summary.type), "' current status '",
                         statusName(s), "', cannot abort.")));
    const bool wait = t.waitResult;
    m_engine.finishPrepared(
        t.gid, Engine::Finish::Abort,
        t.rollbackReason.empty() ? std::string("aborted by the client") : t.rollbackReason,
        wait ? Engine::AnswerWhen::Round : Engine::AnswerWhen::Durable,
        [reply, wait](absl::StatusOr<Transaction> r) {
            if (!r.ok())
                return reply(DtmAnswer::fromStatus(r.status()));
            reply(wait ? tccRoundAnswer(*r, OpKind::Cancel, false) : DtmAnswer::success());
        });
}

void DtmService::registerBranch(const DtmBranch &b, Reply reply)
{
    if (auto refused = refuseType(b.transType, {"tcc"}))
        return reply(*refused);
    if (b.gid.empty())
        return reply({DtmAnswer::Kind::Invalid, "gid: required", {}});
    engine::RegisterCommand cmd;
    cmd.gid = b.gid;
    cmd.branchId = b.branchId;
    cmd.name = b.confirm.empty() ? b.branchId : endpointName(b.confirm);
    cmd.confirm = b.confirm;
    cmd.cancel = b.cancel;
    cmd.payload = b.data;
    m_engine.registerBranch(std::move(cmd), [reply, gid = b.gid](absl::Status s) {
        // dtmsvr/api.go svcRegisterBranch: only while the global transaction is prepared.
        if (absl::IsFailedPrecondition(s) || absl::IsNotFound(s))
            return reply(DtmAnswer::failure(
                absl::StrCat("no trans with gid: ", gid, " status: prepared found")));
        reply(DtmAnswer::fromStatus(s));
    });
}

std::optional<Transaction> DtmService::stored(const std::string &gid, const Reply &reply)
{
    auto existing = m_store.get(gid, 1);
    if (existing.ok())
        return std::move(*existing);
    // dtmsvr/utils.go GetTransGlobal: an unknown gid is a plain error (500)
    reply(absl::IsNotFound(existing.status())
              ? DtmAnswer::error(absl::StrCat("no TransGlobal with gid: ", gid, " found"))
              : DtmAnswer::fromStatus(existing.status()));
    return std::nullopt;
}

void DtmService::forceStop(const std::string &gid, const Actor &actor, Reply reply)
{
    auto existing = stored(gid, reply);
    if (!existing)
        return;
    if (isFinal(existing->summary.status))
        return reply(DtmAnswer::failure(absl::StrCat(
            "global transaction force stop error. status: ", statusName(existing->summary.status),
            ". error:")));
    ActionCommand cmd;
    cmd.action = OperatorAction::MarkFailed;
    cmd.gid = gid;
    cmd.reason = "forceStop through the DTM API (marked failed without compensation)";
    cmd.actor = actor;
    m_engine.act(std::move(cmd), [reply](absl::StatusOr<ActionOutcome> r) {
        reply(r.ok() ? DtmAnswer::success() : DtmAnswer::fromStatus(r.status()));
    });
}

void DtmService::resetNextCronTime(const std::string &gid, const Actor &actor, Reply reply)
{
    auto existing = stored(gid, reply);
    if (!existing)
        return;
    if (isFinal(existing->summary.status))
        return reply(DtmAnswer::success());  // DTM resets the time of any transaction
    ActionCommand cmd;
    cmd.action = OperatorAction::Retry;
    cmd.gid = gid;
    cmd.reason = "resetNextCronTime through the DTM API";
    cmd.actor = actor;
    m_engine.act(std::move(cmd), [reply](absl::StatusOr<ActionOutcome> r) {
        reply(r.ok() ? DtmAnswer::success() : DtmAnswer::fromStatus(r.status()));
    });
}

absl::StatusOr<std::optional<Transaction>> DtmService::query(const std::string &gid)
{
    auto tx = m_store.get(gid, kAttemptsRead);
    if (absl::IsNotFound(tx.status()))
        return std::optional<Transaction>();
    if (!tx.ok())
        return tx.status();
    return std::optional<Transaction>(std::move(*tx));
}

absl::StatusOr<ListPage> DtmService::all(const ListQuery &query) { return m_store.list(query); }

}  // namespace coord::dtm
