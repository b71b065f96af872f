#include "processors.h"

#include "domain/retryschedule.h"

#include <map>

namespace coord::engine {

using namespace domain;

namespace {

struct ForwardResult {
    bool allSucceeded = false;
    std::optional<std::string> failure;  // rollback reason
};

bool done(const Operation *o)
{
    return !o || o->status == OpStatus::Succeeded || o->status == OpStatus::Skipped;
}

// Transactions started through DTM's API keep DTM's wording, which their clients read back
// (query, the wait_result answer): dtmsvr/trans_status.go getBranchResult and isTimeout,
// dtmsvr/trans_type_saga.go's RetryLimit message.
bool dtmWording(const Transaction &tx) { return tx.summary.origin != TxOrigin::Native; }

std::string failureReason(const Transaction &tx, const Branch &b, const Operation &o, OpKind op)
{
    const Attempt *last = o.attempts.empty() ? nullptr : &o.attempts.back();
    if (dtmWording(tx)) {
        std::string answer = last
            ? (last->responseExcerpt.empty() ? last->error : last->responseExcerpt)
            : std::string();
        return "url:" + o.endpoint + " return failed: " + answer;
    }
    const std::string error = last ? last->error : std::string("business failure");
    return "branch " + b.id + " " + toString(op)
        + " failed: " + (error.empty() ? std::string("FAILURE") : error);
}

// Runs the first phase (SAGA actions, TCC tries) in dependency order.
ForwardResult forward(const TxRuntime &rt, Step &step, OpKind op)
{
    const Transaction &tx = rt.tx;
    for (const Branch &b : tx.branches) {
        const Operation *o = b.find(op);
        if (o && o->status == OpStatus::Failed)
            return {false, failureReason(tx, b, *o, op)};
    }
    ForwardResult result;
    result.allSucceeded = true;
    for (const std::string &id : rt.order) {
        const Branch &b = *tx.findBranch(id);
        const Operation *o = b.find(op);
        if (done(o))
            continue;
        result.allSucceeded = false;
        auto it = rt.ops.find({b.id, op});
        const OpState none;
        const OpState &st = it == rt.ops.end() ? none : it->second;
        if (st.inFlight || !rt.tx.dependenciesDone(b, op))
            continue;
        int limit = b.maxRetries >= 0 ? b.maxRetries : tx.options.maxRetries;
        if (pastRetryLimit(o->attemptCount, limit))
            return {false,
                    (dtmWording(tx) ? std::string() : "branch " + b.id + ": ")
                        + "RetryCount is greater than RetryLimit, RetryLimit: "
                        + std::to_string(limit)};
        if (st.nextAttemptMs > step.now) {
            step.wakeAt(st.nextAttemptMs);
            continue;
        }
        step.calls.emplace_back(b.id, op);
    }
    return result;
}

// Undoes (SAGA compensate, TCC cancel) every branch whose first phase may have run, dependents
// before the branches they depend on. True when nothing is left to undo.
bool backward(const TxRuntime &rt, Step &step, OpKind first, OpKind undo)
{
    const Transaction &tx = rt.tx;
    std::map<std::string, bool> undone;
    bool all = true;
    for (auto id = rt.order.rbegin(); id != rt.order.rend(); ++id) {
        const Branch &b = *tx.findBranch(*id);
        auto stateOf = [&](OpKind k) {
            auto it = rt.ops.find({b.id, k});
            return it == rt.ops.end() ? OpState() : it->second;
        };
        if (stateOf(first).inFlight) {  // let the forward call land before undoing it
            undone[b.id] = false;
            all = false;
            continue;
        }
        const Operation *u = b.find(undo);
        if (!u || b.notRollbackable || !rt.mayHaveStarted(b, first) || done(u)) {
            undone[b.id] = true;
            continue;
        }
        undone[b.id] = false;
        all = false;
        bool dependentsUndone = true;
        for (const Branch *d : rt.dependents(b.id))
            dependentsUndone &= undone[d->id];
        if (!dependentsUndone)
            continue;
        OpState st = stateOf(undo);
        if (st.inFlight)
            continue;
        if (st.nextAttemptMs > step.now) {
            step.wakeAt(st.nextAttemptMs);
            continue;
        }
        step.calls.emplace_back(b.id, undo);
    }
    return all;
}

// Runs every TCC confirm; true when all succeeded.
bool confirmAll(const TxRuntime &rt, Step &step)
{
    bool all = true;
    for (const std::string &id : rt.order) {
        const Branch &b = *rt.tx.findBranch(id);
        const Operation *c = b.find(OpKind::Confirm);
        if (done(c))
            continue;
        all = false;
        auto it = rt.ops.find({b.id, OpKind::Confirm});
        OpState st = it == rt.ops.end() ? OpState() : it->second;
        if (st.inFlight)
            continue;
        if (st.nextAttemptMs > step.now) {
            step.wakeAt(st.nextAttemptMs);
            continue;
        }
        step.calls.emplace_back(b.id, OpKind::Confirm);
    }
    return all;
}

// DTM's TCC phase two: confirm (or cancel) every registered branch in reverse registration
// order, one at a time, the next once the previous succeeded (dtmsvr/trans_type_tcc.go
// processInner). True when all are done.
bool reverseOneByOne(const TxRuntime &rt, Step &step, OpKind op)
{
    for (auto b = rt.tx.branches.rbegin(); b != rt.tx.branches.rend(); ++b) {
        if (done(b->find(op)))
            continue;
        auto it = rt.ops.find({b->id, op});
        const OpState st = it == rt.ops.end() ? OpState() : it->second;
        if (st.inFlight)
            return false;
        if (st.nextAttemptMs > step.now) {
            step.wakeAt(st.nextAttemptMs);
            return false;
        }
        step.calls.emplace_back(b->id, op);
        return false;
    }
    return true;
}

// True (with the abort decided) when the transaction's own timeout has passed.
bool timedOut(const Transaction &tx, Step &step, int64_t timeoutMs)
{
    const int64_t deadline = timeoutDeadline(tx.summary.createdMs, timeoutMs);
    if (deadline == 0)
        return false;
    if (step.now < deadline) {
        step.wakeAt(deadline);
        return false;
    }
    step.newStatus = TxStatus::Aborting;
    step.reason = dtmWording(tx) ? "Timeout after " + std::to_string(timeoutMs / 1000) + " seconds"
                                 : "Timeout after " + std::to_string(timeoutMs) + " ms";
    step.calls.clear();
    return true;
}

void abortWith(Step &step, const std::string &reason)
{
    step.calls.clear();
    step.newStatus = TxStatus::Aborting;
    step.reason = reason;
}

}  // namespace

void advanceSaga(const TxRuntime &rt, Step &step, const ProcessorConfig &)
{
    const Transaction &tx = rt.tx;
    switch (tx.summary.status) {
    case TxStatus::Submitted: {
        if (timedOut(tx, step, tx.options.timeoutToFailMs))
            return;
        ForwardResult r = forward(rt, step, OpKind::Action);
        if (r.failure)
            abortWith(step, *r.failure);
        else if (r.allSucceeded)
            step.newStatus = TxStatus::Succeeded;
        return;
    }
    case TxStatus::Aborting:
        if (backward(rt, step, OpKind::Action, OpKind::Compensate))
            step.newStatus = TxStatus::Failed;
        return;
    default:
        return;
    }
}

void advanceTcc(const TxRuntime &rt, Step &step, const ProcessorConfig &config)
{
    const Transaction &tx = rt.tx;
    switch (tx.summary.status) {
    case TxStatus::Prepared: {
        if (tx.clientDriven) {
            int64_t timeout = tx.options.timeoutToFailMs > 0 ? tx.options.timeoutToFailMs
                                                             : config.preparedTimeoutMs;
            timedOut(tx, step, timeout);
            return;
        }
        if (timedOut(tx, step, tx.options.timeoutToFailMs))
            return;
        ForwardResult r = forward(rt, step, OpKind::Try);
        if (r.failure)
            abortWith(step, *r.failure);
        else if (r.allSucceeded)
            step.newStatus = TxStatus::Submitted;
        return;
    }
    case TxStatus::Submitted:
        if (dtmWording(tx) ? reverseOneByOne(rt, step, OpKind::Confirm) : confirmAll(rt, step))
            step.newStatus = TxStatus::Succeeded;
        return;
    case TxStatus::Aborting:
        if (dtmWording(tx) ? reverseOneByOne(rt, step, OpKind::Cancel)
                           : backward(rt, step, OpKind::Try, OpKind::Cancel))
            step.newStatus = TxStatus::Failed;
        return;
    default:
        return;
    }
}

}  // namespace coord::engine
