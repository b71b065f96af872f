#include "operator.h"

#include <algorithm>

namespace coord::domain {

std::string toString(Role role)
{
    switch (role) {
    case Role::Viewer:
        return "viewer";
    case Role::Operator:
        return "operator";
    case Role::Admin:
        return "admin";
    }
    return "none";
}

std::string toString(OperatorAction action)
{
    switch (action) {
    case OperatorAction::CancelBranch:
        return "cancel-branch";
    case OperatorAction::Abort:
        return "abort";
    case OperatorAction::MarkFailed:
        return "mark-failed";
    case OperatorAction::Pause:
        return "pause";
    case OperatorAction::Resume:
        return "resume";
    case OperatorAction::Retry:
        return "retry";
    case OperatorAction::Resolve:
        return "resolve";
    }
    return "unknown";
}

Role requiredRole(OperatorAction action)
{
    return action == OperatorAction::MarkFailed ? Role::Admin : Role::Operator;
}

std::string whyNot(const Transaction &tx, OperatorAction action, const std::string &branchId,
                   OpKind op, OpStatus as)
{
    const TxSummary &s = tx.summary;
    const bool firstPhase = (s.type == TxType::Saga && s.status == TxStatus::Submitted)
        || (s.type == TxType::Tcc && s.status == TxStatus::Prepared);
    if (isFinal(s.status))
        return "the transaction is finished";
    switch (action) {
    case OperatorAction::CancelBranch:
        if (!tx.findBranch(branchId))
            return "no branch " + branchId;
        if (!firstPhase && s.status != TxStatus::Aborting)
            return "the decision to confirm is durable; it can only go forward";
        return {};
    case OperatorAction::Abort:
        if (s.status == TxStatus::Aborting)
            return "it is already rolling back";
        if (!firstPhase)
            return "the decision to confirm is durable; it can only go forward";
        return {};
    case OperatorAction::MarkFailed:
        return {};
    case OperatorAction::Pause:
        return s.retryPaused ? "retries are already paused" : "";
    case OperatorAction::Resume:
        return s.retryPaused ? "" : "retries are not paused";
    case OperatorAction::Retry:
        return s.retryPaused ? "retries are paused; resume first" : "";
    case OperatorAction::Resolve: {
        if (as != OpStatus::Succeeded && as != OpStatus::Skipped)
            return "an operation can be resolved as succeeded or skipped only";
        const Branch *b = tx.findBranch(branchId);
        const Operation *o = b ? b->find(op) : nullptr;
        if (!o)
            return "no operation " + branchId + "/" + toString(op);
        if (o->status == OpStatus::Succeeded || o->status == OpStatus::Skipped)
            return "that operation is already " + toString(o->status);
        return {};
    }
    }
    return {};
}

namespace stuck {
std::string suggestedAction(const std::string &reason)
{
    if (reason == kPaused)
        return "Resume retries when the participant is fixed";
    if (reason == kMustSucceedFailed)
        return "Fix the participant so it can succeed, then Retry now; or Resolve the operation "
               "as skipped after undoing it by hand";
    if (reason == kUnreachable)
        return "Check that the participant is running and reachable, then Retry now";
    if (reason == kRepeatedError)
        return "Look at the repeated error; fix the participant, then Retry now";
    if (reason == kManyAttempts)
        return "Inspect the attempts; Retry now after a fix, or Abort with compensation";
    if (reason == kPreparedTimeout)
        return "The client never finished it: Abort with compensation";
    if (reason == kTooOld)
        return "Inspect it: Retry now, Abort with compensation, or Cancel a branch";
    return {};
}
}  // namespace stuck

bool isBeingRetried(const Operation &op)
{
    return (op.status == OpStatus::Pending || op.status == OpStatus::Running)
        && op.attemptCount > 0;
}

int retryAttemptsOf(const Transaction &tx)
{
    int most = 0;
    for (const Branch &b : tx.branches)
        for (const Operation &o : b.ops)
            if (isBeingRetried(o))
                most = std::max(most, o.attemptCount);
    return most;
}

std::string stuckReasonOf(const Transaction &tx, int64_t nowMs, const StuckThresholds &limits,
                          int64_t preparedTimeoutMs)
{
    if (isFinal(tx.summary.status))
        return {};
    if (tx.summary.retryPaused)
        return stuck::kPaused;
    std::string found;
    auto rank = [](const std::string &r) {
        static const std::vector<std::string> order = {stuck::kMustSucceedFailed,
                                                       stuck::kUnreachable, stuck::kRepeatedError,
                                                       stuck::kManyAttempts};
        for (size_t i = 0; i < order.size(); ++i)
            if (order[i] == r)
                return static_cast<int>(i);
        return 99;
    };
    auto consider = [&](const char *reason) {
        if (found.empty() || rank(reason) < rank(found))
            found = reason;
    };
    for (const Branch &b : tx.branches)
        for (const Operation &o : b.ops) {
            if (o.status == OpStatus::Succeeded || o.status == OpStatus::Skipped
                || o.attempts.empty())
                continue;
            const bool mustSucceed = o.op != OpKind::Action && o.op != OpKind::Try;
            const Attempt &last = o.attempts.back();
            if (mustSucceed && last.outcome == AttemptOutcome::Failure)
                consider(stuck::kMustSucceedFailed);
            int unreachable = 0, same = 0;
            for (auto a = o.attempts.rbegin(); a != o.attempts.rend(); ++a) {
                if (a->outcome == AttemptOutcome::Transient && a->statusCode == 0)
                    ++unreachable;
                else
                    break;
            }
            for (auto a = o.attempts.rbegin(); a != o.attempts.rend(); ++a) {
                if (a->outcome != AttemptOutcome::Success && a->error == last.error)
                    ++same;
                else
                    break;
            }
            if (unreachable >= limits.unreachableAttempts)
                consider(stuck::kUnreachable);
            else if (same >= limits.repeatedErrors && last.outcome != AttemptOutcome::Ongoing)
                consider(stuck::kRepeatedError);
            if (o.attemptCount >= limits.manyAttempts)
                consider(stuck::kManyAttempts);
        }
    if (!found.empty())
        return found;
    if (tx.summary.status == TxStatus::Prepared && tx.clientDriven
        && nowMs - tx.summary.createdMs > preparedTimeoutMs)
        return stuck::kPreparedTimeout;
    if (limits.maxAgeMs > 0 && nowMs - tx.summary.createdMs > limits.maxAgeMs)
        return stuck::kTooOld;
    return {};
}

}  // namespace coord::domain
