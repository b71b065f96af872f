// Operator actions: check, plan, apply, audit.
#include "engine.h"

#include "committer.h"
#include "engineevents.h"
#include "planner.h"
#include "storage/store.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

namespace coord::engine {

using namespace domain;

namespace {

std::string stateOf(const TxRuntime &rt, const ActionCommand &cmd)
{
    std::string s = toString(rt.tx.summary.status);
    if (rt.tx.summary.retryPaused)
        s += " (paused)";
    if (cmd.action == OperatorAction::Resolve)
        if (const Branch *b = rt.tx.findBranch(cmd.branchId))
            if (const Operation *o = b->find(cmd.op))
                s += absl::StrCat("; ", cmd.branchId, "/", toString(cmd.op), " ",
                                  toString(o->status));
    return s;
}

std::string describePlan(const ActionCommand &cmd, const ActionPlan &plan)
{
    int steps = plan.operations.empty() ? 0 : plan.operations.back().step;
    std::string text = absl::StrCat(toString(cmd.action), ": ");
    if (plan.operations.empty())
        text += "no operation will run";
    else
        text += absl::StrCat(plan.operations.size(), " operation(s) in ", steps, " step(s)");
    return absl::StrCat(text, ", then ", toString(plan.resultingStatus));
}

}  // namespace

absl::Status Engine::checkAction(const TxRuntime &rt, const ActionCommand &cmd) const
{
    const TxSummary &s = rt.tx.summary;
    if (cmd.action == OperatorAction::Resolve && cmd.as != OpStatus::Succeeded
        && cmd.as != OpStatus::Skipped)
        return absl::InvalidArgumentError("as: must be succeeded or skipped");
    if ((cmd.action == OperatorAction::CancelBranch && !rt.tx.findBranch(cmd.branchId))
        || (cmd.action == OperatorAction::Resolve
            && !(rt.tx.findBranch(cmd.branchId) && rt.tx.findBranch(cmd.branchId)->find(cmd.op))))
        return absl::NotFoundError(absl::StrCat(
            "no ", cmd.action == OperatorAction::Resolve ? "operation " : "branch ", cmd.branchId,
            cmd.action == OperatorAction::Resolve ? "/" + toString(cmd.op) : "", " in ", s.gid));
    std::string why = whyNot(rt.tx, cmd.action, cmd.branchId, cmd.op, cmd.as);
    if (why.empty() && cmd.action == OperatorAction::Resolve) {
        auto it = rt.ops.find({cmd.branchId, cmd.op});
        if (it != rt.ops.end() && it->second.inFlight)
            why = "that operation is being called right now; try again in a moment";
    }
    if (why.empty())
        return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(toString(cmd.action), " ", s.gid, ": ", why,
                                                      " (current status ", toString(s.status),
                                                      s.retryPaused ? ", paused" : "", ")"));
}

void Engine::applyAction(TxRuntime &rt, const ActionCommand &cmd, int64_t now) const
{
    TxSummary &s = rt.tx.summary;
    const std::string by = absl::StrCat(" by ", cmd.actor.who, ": ", cmd.reason);
    auto resetWaits = [&] {
        for (auto &[key, st] : rt.ops) {
            st.nextAttemptMs = 0;
            st.consecutiveErrors = 0;
        }
    };
    switch (cmd.action) {
    case OperatorAction::CancelBranch: {
        Branch *b = rt.tx.findBranch(cmd.branchId);
        OpKind first = flow::firstPhaseOp(s.type);
        if (Operation *o = b->find(first); o && o->status == OpStatus::Pending)
            o->status = OpStatus::Running;  // may have run: its undo must run too
        rt.state(cmd.branchId, first).maybeStarted = true;
        if (s.status != TxStatus::Aborting) {
            s.status = TxStatus::Aborting;
            s.rollbackReason = absl::StrCat("branch ", cmd.branchId, " cancelled", by);
        }
        resetWaits();
        break;
    }
    case OperatorAction::Abort:
        s.status = TxStatus::Aborting;
        s.rollbackReason = absl::StrCat("aborted", by);
        resetWaits();
        break;
    case OperatorAction::MarkFailed:
        s.status = TxStatus::Failed;
        s.finishedMs = now;
        s.rollbackReason = absl::StrCat("marked failed without compensation", by);
        break;
    case OperatorAction::Pause:
        s.retryPaused = true;
        break;
    case OperatorAction::Resume:
        s.retryPaused = false;
        resetWaits();
        break;
    case OperatorAction::Retry:
        resetWaits();
        break;
    case OperatorAction::Resolve:
        rt.tx.findBranch(cmd.branchId)->find(cmd.op)->status = cmd.as;
        break;
    }
}

ActionPlan Engine::planAction(const TxRuntime &rt, const ActionCommand &cmd, int64_t now) const
{
    // What the processor would do next after the action, worked out on a copy.
    TxRuntime copy;
    copy.tx = rt.tx;
    copy.order = rt.order;
    copy.ops = rt.ops;
    applyAction(copy, cmd, now);
    ActionPlan plan = planFrom(copy, now, m_config.processor);
    plan.summary = describePlan(cmd, plan);
    if (!plan.notRollbackable.empty())
        plan.warnings.push_back(
            absl::StrCat("cannot be rolled back: ", absl::StrJoin(plan.notRollbackable, ", ")));
    if (cmd.action == OperatorAction::MarkFailed)
        plan.warnings.push_back("no compensation will run: whatever the branches did stays done");
    return plan;
}

void Engine::recordActionLocked(const RtPtr &rt, const ActionCommand &cmd, const ActionPlan &plan,
                                AuditEntry entry, ActionDone done, int64_t now, Outbox &out)
{
    const TxStatus before = rt->tx.summary.status;
    applyAction(*rt, cmd, now);
    rt->activity++;
    rt->removable = false;
    Event e = makeEvent(EventKind::OperatorAction, now);
    e.branchId = cmd.branchId;
    e.message = absl::StrCat(toString(cmd.action), " by ", cmd.actor.who, ": ", cmd.reason);
    rt->events.push_back(e);
    const TxStatus after = rt->tx.summary.status;
    if (after != before) {
        Event changed = makeEvent(EventKind::TxStatusChanged, now);
        changed.message = rt->tx.summary.rollbackReason;
        rt->events.push_back(changed);
    }
    if (cmd.action == OperatorAction::CancelBranch || cmd.action == OperatorAction::Resolve) {
        const OpKind k = cmd.action == OperatorAction::Resolve
            ? cmd.op
            : flow::firstPhaseOp(rt->tx.summary.type);
        if (const Operation *o = rt->tx.findBranch(cmd.branchId)->find(k))
            rt->recordOp({cmd.branchId, k, o->status, o->attemptCount});
    }
    entry.stateAfter = stateOf(*rt, cmd);
    entry.detail = plan.summary;
    rt->pendingAudit.push_back(std::move(entry));
    rt->waitDurable([done = std::move(done), plan](absl::StatusOr<Transaction> tx) {
        if (!tx.ok())
            return done(tx.status());
        done(ActionOutcome{plan, *tx});
    });
    if (isFinal(after))
        flushLocked(rt, out, WriteKind::Final);
    else if (after == TxStatus::Aborting && before != TxStatus::Aborting)
        flushLocked(rt, out, WriteKind::Gate);  // the rollback's calls wait for the decision
    else
        advanceLocked(rt, out);
}

void Engine::act(ActionCommand cmd, ActionDone done)
{
    const int64_t now = m_clock.nowMs();
    AuditEntry entry{
        0,       now,          cmd.actor.who, toString(cmd.actor.role), toString(cmd.action),
        cmd.gid, cmd.branchId, cmd.reason};
    // A refusal is answered once its audit entry is durable (dry runs are not audited).
    auto refuse = [&](absl::Status status) {
        if (cmd.dryRun)
            return done(std::move(status));
        entry.outcome = std::string(status.message());
        audit(entry, [done, status](const absl::Status &) { done(status); });
    };
    if (cmd.reason.empty())
        return refuse(absl::InvalidArgumentError("reason: every operator action needs a reason"));
    if (cmd.gid.empty())
        return refuse(absl::InvalidArgumentError("gid: must not be empty"));
    if (m_stopping)
        return refuse(absl::UnavailableError("the coordinator is shutting down"));
    auto acquired = acquire(cmd.gid);
    if (!acquired.ok())
        return refuse(acquired.status());
    RtPtr rt = *acquired;
    Outbox out;
    absl::Status refused;
    {
        std::lock_guard lock(rt->mutex);
        // Check, plan, then apply (or only answer the plan of a dry run).
        entry.stateBefore = stateOf(*rt, cmd);
        refused = rt->broken ? beingReloaded(cmd.gid) : checkAction(*rt, cmd);
        if (refused.ok() && !cmd.dryRun) {
            recordActionLocked(rt, cmd, planAction(*rt, cmd, now), std::move(entry),
                               std::move(done), now, out);
        } else {
            if (rt->inFlight == 0 && rt->queuedWrites == 0 && rt->gateOpen
                && rt->finalWaiters.empty() && rt->durableWaiters.empty()) {
                rt->removable = true;  // loaded only to look: let it go again
                out.release = true;
            }
            if (refused.ok())
                out.answers.emplace_back(
                    [done, plan = planAction(*rt, cmd, now)](absl::StatusOr<Transaction> tx) {
                        done(ActionOutcome{plan, *tx});
                    },
                    rt->tx);
        }
    }
    deliver(rt, out);
    if (!refused.ok())
        refuse(refused);
}

void Engine::retryMatching(ListQuery filter, Actor actor, std::string reason, bool dryRun,
                           std::function<void(absl::StatusOr<std::vector<std::string>>)> done)
{
    if (reason.empty())
        return done(absl::InvalidArgumentError("reason: every operator action needs a reason"));
    filter.statuses = {TxStatus::Prepared, TxStatus::Submitted, TxStatus::Aborting};
    filter.limit = 10000;
    auto page = m_store.list(filter);
    if (!page.ok())
        return done(page.status());
    std::vector<std::string> gids;
    for (const TxSummary &t : page->transactions)
        if (!t.retryPaused && !(t.type == TxType::Tcc && t.status == TxStatus::Prepared))
            gids.push_back(t.gid);
    if (dryRun || gids.empty())
        return done(gids);
    struct Progress {
        std::mutex mutex;
        size_t pending;
        std::vector<std::string> retried;
    };
    auto progress = std::make_shared<Progress>();
    progress->pending = gids.size();
    for (const std::string &gid : gids) {
        ActionCommand cmd;
        cmd.action = OperatorAction::Retry;
        cmd.gid = gid;
        cmd.reason = reason;
        cmd.actor = actor;
        act(cmd, [progress, gid, done](absl::StatusOr<ActionOutcome> r) {
            std::unique_lock lock(progress->mutex);
            if (r.ok())
                progress->retried.push_back(gid);
            if (--progress->pending == 0) {
                auto retried = std::move(progress->retried);
                lock.unlock();
                done(std::move(retried));
            }
        });
    }
}

void Engine::audit(AuditEntry entry, std::function<void(absl::Status)> written)
{
    storage::TxWrite w;
    w.audit.push_back(std::move(entry));
    m_committer.enqueue(std::move(w),
                        [written = std::move(written)](const storage::WriteResult &r) {
                            if (written)
                                written(r.status);
                        });
}

}  // namespace coord::engine
