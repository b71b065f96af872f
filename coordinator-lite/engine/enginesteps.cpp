// The engine's inner loop: decide (processors), record (committer), call (invoker), react.
#include "engine.h"

#include "committer.h"
#include "engineevents.h"

#include "domain/retryschedule.h"

namespace coord::engine {

namespace {

// DTM's retry_limit re-runs a saga action at once, in the same round, until the limit
// (dtmsvr/trans_type_saga.go, RetryLimit): for sagas started through DTM's API.
bool retriesAtOnce(const domain::Transaction &tx, domain::OpKind op)
{
    return tx.summary.origin != domain::TxOrigin::Native && tx.summary.type == domain::TxType::Saga
        && op == domain::OpKind::Action && tx.options.maxRetries > 0;
}

}  // namespace

using namespace domain;

namespace {

// A call that started and ended within one write needs no "running" event of its own: the
// attempt event that follows carries its start time and the operation's new status.
void dropRunningMarkersOfFinishedCalls(std::vector<Event> &events)
{
    auto finishedLater = [&](size_t i) {
        for (size_t j = i + 1; j < events.size(); ++j)
            if (events[j].kind == EventKind::AttemptFinished
                && events[j].branchId == events[i].branchId && events[j].op == events[i].op)
                return true;
        return false;
    };
    size_t kept = 0;
    for (size_t i = 0; i < events.size(); ++i) {
        const bool marker = events[i].kind == EventKind::OpStatusChanged
            && events[i].opStatus == OpStatus::Running;
        if (!(marker && finishedLater(i)))
            events[kept++] = std::move(events[i]);
    }
    events.resize(kept);
}

int64_t timeoutOf(const Transaction &tx, const Branch &b)
{
    return b.requestTimeoutMs > 0 ? b.requestTimeoutMs : tx.options.requestTimeoutMs;
}

}  // namespace

void Engine::applyStatus(TxRuntime &rt, TxStatus status, const std::string &reason)
{
    const int64_t now = m_clock.nowMs();
    TxSummary &s = rt.tx.summary;
    s.status = status;
    if (status == TxStatus::Aborting && !reason.empty())
        s.rollbackReason = reason;
    if (isFinal(status))
        s.finishedMs = now;
    Event e = makeEvent(EventKind::TxStatusChanged, now);
    e.message = status == TxStatus::Aborting ? s.rollbackReason : toString(status);
    rt.events.push_back(std::move(e));
    rt.activity++;
}

void Engine::startCallLocked(TxRuntime &rt, const std::string &branchId, OpKind op, Outbox &out)
{
    const int64_t now = m_clock.nowMs();
    Branch *b = rt.tx.findBranch(branchId);
    Operation *o = b ? b->find(op) : nullptr;
    if (!o)
        return;
    OpState &st = rt.state(branchId, op);
    st.inFlight = true;
    st.startedMs = now;
    rt.inFlight++;
    rt.activity++;
    m_callsInFlight++;
    if (o->status != OpStatus::Running) {
        o->status = OpStatus::Running;
        rt.recordOp({branchId, op, OpStatus::Running, o->attemptCount});
        Event e = makeEvent(EventKind::OpStatusChanged, now);
        e.branchId = branchId;
        e.op = op;
        e.opStatus = OpStatus::Running;
        rt.events.push_back(std::move(e));
    }
    BranchCall call;
    call.endpoint = o->endpoint;
    call.payload = b->payload;
    call.gid = rt.tx.summary.gid;
    call.transType = rt.tx.summary.type == TxType::Saga ? "saga" : "tcc";
    call.branchId = branchId;
    call.op = toString(op);
    call.timeoutMs = timeoutOf(rt.tx, *b);
    call.headers = rt.tx.options.branchHeaders;
    out.calls.push_back({std::move(call), branchId, op});
}

void Engine::advanceLocked(const RtPtr &rt, Outbox &out)
{
    if (rt->broken)
        return;
    if (!rt->gateOpen) {  // a decision is on its way to disk: record, but do not act yet
        if (rt->hasPendingChanges())
            flushOrDeferLocked(rt, out);
        return;
    }
    Step step;
    step.now = m_clock.nowMs();
    if (rt->tx.summary.type == TxType::Saga)
        advanceSaga(*rt, step, m_config.processor);
    else
        advanceTcc(*rt, step, m_config.processor);

    std::optional<WriteKind> decision;  // Gate or Final
    if (step.newStatus) {
        applyStatus(*rt, *step.newStatus, step.reason);
        decision = isFinal(*step.newStatus) ? WriteKind::Final : WriteKind::Gate;
    }
    bool deferred = false;
    if ((m_stopping || rt->tx.summary.retryPaused) && !step.calls.empty()) {
        deferred = true;  // shutting down or paused: leave the calls for later
        step.calls.clear();
        step.wakeAt(step.now);
    }
    for (const auto &[branchId, op] : step.calls)
        startCallLocked(*rt, branchId, op, out);
    const bool park = !decision && rt->inFlight == 0 && (step.calls.empty() || deferred);
    const int64_t next = step.nextDueMs == INT64_MAX ? step.now + m_config.leaseMs : step.nextDueMs;
    if (decision)
        flushLocked(rt, out, *decision, next);
    else if (park)
        flushLocked(rt, out, WriteKind::Park, next);
    else if (rt->hasPendingChanges())
        flushOrDeferLocked(rt, out);
}

void Engine::flushOrDeferLocked(const RtPtr &rt, Outbox &out)
{
    // Nothing waits on these changes and a call under way will bring the next write: let them
    // ride along with it (one write per decision instead of one per event), within a bound.
    const bool someoneWaits = !rt->durableWaiters.empty() || !rt->pendingAudit.empty();
    if (rt->inFlight == 0 || someoneWaits || m_stopping)
        return flushLocked(rt, out, WriteKind::Record);
    if (rt->flushDeferred)
        return;
    const bool posted = m_deferredFlushes.post([this, weak = std::weak_ptr<TxRuntime>(rt)] {
        if (RtPtr rt = weak.lock())
            flushDeferred(rt);
    });
    if (!posted)
        return flushLocked(rt, out, WriteKind::Record);
    rt->flushDeferred = true;
}

void Engine::flushDeferred(const RtPtr &rt)
{
    Outbox out;
    {
        std::lock_guard lock(rt->mutex);
        if (!rt->flushDeferred || rt->broken)
            return;
        flushLocked(rt, out, WriteKind::Record);
    }
    deliver(rt, out);
}

void Engine::flushLocked(const RtPtr &rt, Outbox &, WriteKind kind, int64_t nextRetryMs)
{
    const bool final = kind == WriteKind::Final;
    const int64_t now = m_clock.nowMs();
    rt->flushDeferred = false;  // everything pending goes with this write
    TxSummary &s = rt->tx.summary;
    s.updatedMs = now;
    s.branchCount = static_cast<int>(rt->tx.branches.size());
    s.stuckReason = final
        ? std::string()
        : stuckReasonOf(rt->tx, now, m_config.stuck, m_config.processor.preparedTimeoutMs);
    s.retryAttempts = final ? 0 : retryAttemptsOf(rt->tx);
    if (final) {
        for (EngineObserver *o : m_observers)
            o->transactionFinished(s, now - s.createdMs);
        if (m_faultPlans)
            m_faultPlans->clearPlan(s.gid);
        s.owner.clear();
        s.leaseExpiresMs = 0;
        s.nextRetryMs = 0;
    } else if (kind == WriteKind::Park) {
        s.owner = m_config.instanceId;
        s.nextRetryMs = s.leaseExpiresMs = nextRetryMs;
    } else {
        // Active here: nobody else may take it before the longest call could have ended.
        int64_t longest = 0;
        for (const auto &[key, st] : rt->ops)
            if (st.inFlight)
                if (const Branch *b = rt->tx.findBranch(key.first))
                    longest = std::max(longest, timeoutOf(rt->tx, *b));
        s.owner = m_config.instanceId;
        s.nextRetryMs = s.leaseExpiresMs = now + m_config.leaseMs + longest;
    }

    storage::TxWrite w;
    w.gid = s.gid;
    if (!rt->inserted) {
        w.insert = rt->tx;
        rt->inserted = true;
        rt->opWrites.clear();
        rt->attemptWrites.clear();
        rt->newBranches.clear();
    } else {
        w.summary = s;
        w.expectStatus = rt->writtenStatus;
        w.expectOwner = m_config.instanceId;
        w.ops = std::move(rt->opWrites);
        w.attempts = std::move(rt->attemptWrites);
        w.addBranches = std::move(rt->newBranches);
        rt->opWrites.clear();
        rt->attemptWrites.clear();
        rt->newBranches.clear();
    }
    dropRunningMarkersOfFinishedCalls(rt->events);
    for (Event &e : rt->events)
        e.summary = s;
    w.events = std::move(rt->events);
    rt->events.clear();
    w.audit = std::move(rt->pendingAudit);
    rt->pendingAudit.clear();
    rt->writtenStatus = s.status;
    rt->queuedWrites++;
    const uint64_t writeNo = ++rt->writeCount;
    if (kind == WriteKind::Gate)
        rt->gateOpen = false;
    const uint64_t activity = rt->activity;
    m_committer.enqueue(std::move(w),
                        [this, rt, writeNo, kind, activity](const storage::WriteResult &r) {
                            onCommitted(rt, r, writeNo, kind, activity);
                        });
}

void Engine::onCommitted(const RtPtr &rt, const storage::WriteResult &r, uint64_t writeNo,
                         WriteKind kind, uint64_t activity)
{
    Outbox out;
    // A storage fault, not a guard lost to another writer: ours to take back once the store
    // answers (noted after the runtime's lock: the map's lock comes first).
    const bool reclaim = !r.status.ok() && !absl::IsFailedPrecondition(r.status)
        && !absl::IsAlreadyExists(r.status);
    std::string gid;
    {
        std::lock_guard lock(rt->mutex);
        if (reclaim)
            gid = rt->tx.summary.gid;
        rt->queuedWrites--;
        // Who waited for this write (or an earlier one) hears how it went; who waits for a
        // later write hears that write's outcome.
        auto ready = std::partition(rt->durableWaiters.begin(), rt->durableWaiters.end(),
                                    [writeNo](const auto &p) { return p.first > writeNo; });
        for (auto it = ready; it != rt->durableWaiters.end(); ++it)
            if (r.status.ok())
                out.answers.emplace_back(std::move(it->second), rt->tx);
            else
                out.answers.emplace_back(std::move(it->second), r.status);
        rt->durableWaiters.erase(ready, rt->durableWaiters.end());
        if (!r.status.ok() || rt->broken) {
            // This copy no longer matches the store (this write, or one before it, is not
            // there): nothing more is decided from it. It leaves memory once its last write
            // and call are back, and is read again from the store.
            if (!rt->broken) {
                rt->broken = true;
                answerAll(rt->finalWaiters, r.status, out.answers);
                answerAll(rt->roundWaiters, r.status, out.answers);
            }
            rt->removable = true;
            out.release = true;
        } else {
            if (kind == WriteKind::Gate) {
                rt->gateOpen = true;
                advanceLocked(rt, out);
            }
            if (kind == WriteKind::Final) {
                answerAll(rt->finalWaiters, rt->tx, out.answers);
                answerAll(rt->roundWaiters, rt->tx, out.answers);
                rt->removable = true;
                out.release = true;
            } else if (kind == WriteKind::Park && rt->activity == activity && rt->inFlight == 0
                       && rt->gateOpen && rt->durableWaiters.empty() && rt->finalWaiters.empty()) {
                answerAll(rt->roundWaiters, rt->tx, out.answers);
                rt->removable = true;
                out.release = true;
            } else if (kind == WriteKind::Park && rt->activity == activity) {
                // Only the park that ended the latest step ends a round: a park queued before
                // a newer step (a submit after a register) says nothing about that step.
                answerAll(rt->roundWaiters, rt->tx, out.answers);
            }
        }
    }
    if (reclaim) {
        std::lock_guard mapLock(m_mapMutex);
        m_reclaim.insert(gid);
    }
    deliver(rt, out);
}

void Engine::onResult(const RtPtr &rt, const std::string &branchId, OpKind op, CallResult result)
{
    Outbox out;
    {
        std::lock_guard lock(rt->mutex);
        OpState &st = rt->state(branchId, op);
        st.inFlight = false;
        rt->inFlight--;
        rt->activity++;
        Branch *b = rt->tx.findBranch(branchId);
        Operation *o = b ? b->find(op) : nullptr;
        if (rt->broken)
            out.release = true;  // a write failed while this call ran: leave it to recovery
        if (!rt->broken && o) {
            const int64_t now = m_clock.nowMs();
            Attempt a{st.startedMs,      now,          result.outcome,
                      result.statusCode, result.error, result.excerpt};
            for (EngineObserver *observer : m_observers)
                observer->attemptFinished(op, result.outcome, now - st.startedMs, o->endpoint);
            o->attemptCount++;
            o->attempts.push_back(a);
            const bool firstPhase = op == OpKind::Action || op == OpKind::Try;
            switch (result.outcome) {
            case AttemptOutcome::Success:
                o->status = OpStatus::Succeeded;
                st.consecutiveErrors = 0;
                break;
            case AttemptOutcome::Failure:
                if (firstPhase) {
                    o->status = OpStatus::Failed;
                    break;
                }
                // Confirm, cancel and compensate must succeed: retry them (they will be
                // flagged stuck) rather than give up.
                [[fallthrough]];
            case AttemptOutcome::Transient:
                o->status = OpStatus::Pending;
                st.consecutiveErrors++;
                st.nextAttemptMs = retriesAtOnce(rt->tx, op)
                    ? now
                    : now + backoffMs(rt->tx, st.consecutiveErrors);
                break;
            case AttemptOutcome::Ongoing:
                o->status = OpStatus::Pending;
                st.nextAttemptMs = retriesAtOnce(rt->tx, op)
                    ? now
                    : now + ongoingWaitMs(rt->tx.options.retryIntervalMs);
                break;
            }
            rt->recordOp({branchId, op, o->status, o->attemptCount});
            rt->attemptWrites.push_back({branchId, op, a});
            Event e = makeEvent(EventKind::AttemptFinished, now);
            e.branchId = branchId;
            e.op = op;
            e.opStatus = o->status;
            e.attempt = a;
            e.message = result.error;
            rt->events.push_back(std::move(e));
            advanceLocked(rt, out);
        }
    }
    deliver(rt, out);
    // Only stop() waits for the last call (it also looks every 5 ms); a wake-up each time the
    // count touched 0 under load cost the recovery thread a futex round trip for nothing.
    if (--m_callsInFlight == 0 && m_stopping)
        m_loopWake.notify_all();
}

void Engine::deliver(const RtPtr &rt, Outbox &out)
{
    for (auto &c : out.calls) {
        m_invoker.invoke(std::move(c.call), [this, rt, id = c.branchId, op = c.op](CallResult r) {
            onResult(rt, id, op, std::move(r));
        });
    }
    if (out.release)
        release(rt);
    for (auto &[waiter, value] : out.answers)
        waiter(std::move(value));
}

void Engine::release(const RtPtr &rt)
{
    std::lock_guard mapLock(m_mapMutex);
    auto it = m_active.find(rt->tx.summary.gid);
    if (it == m_active.end() || it->second != rt)
        return;
    std::lock_guard lock(rt->mutex);
    if (rt->removable && rt->inFlight == 0 && rt->queuedWrites == 0)
        m_active.erase(it);
}

}  // namespace coord::engine
