// The engine's recovery part: loading transactions from the store, claiming due and orphaned
// work by lease, taking back what a failed write left behind, and the polling loop.
#include "engine.h"

#include "committer.h"
#include "engineevents.h"
#include "threadname.h"
#include "storage/store.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace coord::engine {

using namespace domain;

Engine::RtPtr Engine::refreshParked(const RtPtr &rt)
{
    // With a store shared by several instances, another one may have moved this transaction on
    // while it sat here parked (its lease ran out meanwhile): go on from the store's copy, and
    // keep whoever waits on it.
    auto stored = m_store.get(rt->tx.summary.gid, kAttemptsLoaded);
    if (!stored.ok())
        return nullptr;
    std::vector<TxWaiter> finals, rounds;
    {
        std::lock_guard mapLock(m_mapMutex);
        std::lock_guard lock(rt->mutex);
        const TxSummary &mine = rt->tx.summary;
        if (stored->summary.updatedMs == mine.updatedMs && stored->summary.status == mine.status)
            return rt;
        if (rt->inFlight > 0 || rt->queuedWrites > 0 || !rt->gateOpen)
            return nullptr;  // woke up meanwhile
        finals.swap(rt->finalWaiters);
        rounds.swap(rt->roundWaiters);
        rt->removable = true;
        if (auto it = m_active.find(mine.gid); it != m_active.end() && it->second == rt)
            m_active.erase(it);
    }
    stored->summary.owner = m_config.instanceId;
    RtPtr fresh = load(std::move(*stored));
    std::lock_guard lock(fresh->mutex);
    for (auto &w : finals)
        fresh->finalWaiters.push_back(std::move(w));
    for (auto &w : rounds)
        fresh->roundWaiters.push_back(std::move(w));
    return fresh;
}

Engine::RtPtr Engine::load(Transaction tx)
{
    auto rt = std::make_shared<TxRuntime>();
    rt->tx = std::move(tx);
    rt->tx.summary.branchCount = static_cast<int>(rt->tx.branches.size());
    rt->computeOrder();
    rt->writtenStatus = rt->tx.summary.status;
    rt->inserted = true;
    // Whatever was runnable may have been called before the restart.
    OpKind first = flow::firstPhaseOp(rt->tx.summary.type);
    for (Branch &b : rt->tx.branches) {
        Operation *o = b.find(first);
        if (o
            && (o->status == OpStatus::Running
                || (o->status == OpStatus::Pending && rt->tx.dependenciesDone(b, first))))
            rt->state(b.id, first).maybeStarted = true;
        for (Operation &op : b.ops) {
            if (op.status == OpStatus::Running)
                op.status = OpStatus::Pending;  // in flight in a previous life: call again
            // The retry schedule follows from the attempts so far.
            OpState &st = rt->state(b.id, op.op);
            const bool mustSucceed = op.op != OpKind::Action && op.op != OpKind::Try;
            for (auto a = op.attempts.rbegin(); a != op.attempts.rend(); ++a) {
                bool error = a->outcome == AttemptOutcome::Transient
                    || (mustSucceed && a->outcome == AttemptOutcome::Failure);
                if (!error)
                    break;
                st.consecutiveErrors++;
            }
            if (!op.attempts.empty() && op.status == OpStatus::Pending) {
                const Attempt &last = op.attempts.back();
                st.nextAttemptMs = last.endedMs
                    + (last.outcome == AttemptOutcome::Ongoing
                           ? std::max<int64_t>(rt->tx.options.retryIntervalMs, 1)
                           : backoffMs(rt->tx, st.consecutiveErrors));
            }
        }
    }
    std::lock_guard lock(m_mapMutex);
    auto [it, inserted] = m_active.emplace(rt->tx.summary.gid, rt);
    return it->second;
}

absl::StatusOr<Engine::RtPtr> Engine::acquire(const std::string &gid)
{
    {
        std::lock_guard lock(m_mapMutex);
        if (auto it = m_active.find(gid); it != m_active.end()) {
            std::lock_guard rtLock(it->second->mutex);
            // A copy whose write failed answers nobody any more: it is being taken back.
            if (it->second->broken)
                return beingReloaded(gid);
            return it->second;
        }
    }
    const int64_t now = m_clock.nowMs();
    if (auto s = m_store.claim(gid, m_config.instanceId, now, m_config.leaseMs); !s.ok())
        return s;
    auto tx = m_store.get(gid, kAttemptsLoaded);
    if (!tx.ok())
        return tx.status();
    tx->summary.owner = m_config.instanceId;
    return load(std::move(*tx));
}

void Engine::reclaimFailedWrites(int64_t nowMs)
{
    std::vector<std::string> gids;
    {
        std::lock_guard lock(m_mapMutex);
        for (const std::string &gid : m_reclaim)
            if (!m_active.count(gid))  // gone from memory: its failed write is behind it
                gids.push_back(gid);
    }
    for (const std::string &gid : gids) {
        // Still ours (we are its owner, whatever its lease says), reloaded as stored.
        absl::Status claimed = m_store.claim(gid, m_config.instanceId, nowMs, m_config.leaseMs);
        const bool settled = claimed.ok() || absl::IsNotFound(claimed)
            || absl::IsFailedPrecondition(claimed);
        if (!settled)
            return;  // the store does not answer as it should yet: try again next round
        {
            std::lock_guard lock(m_mapMutex);
            m_reclaim.erase(gid);
        }
        if (!claimed.ok())
            continue;  // never stored, finished, or another instance's now
        auto tx = m_store.get(gid, kAttemptsLoaded);
        if (!tx.ok()) {
            std::lock_guard lock(m_mapMutex);
            m_reclaim.insert(gid);
            return;
        }
        spdlog::info("{}: resumed after a failed write, without waiting for its lease", gid);
        tx->summary.owner = m_config.instanceId;
        drive(load(std::move(*tx)));
    }
}

void Engine::drive(const RtPtr &rt)
{
    Outbox out;
    {
        std::lock_guard lock(rt->mutex);
        if (rt->broken)
            return;  // on its way out of memory; read again from the store after that
        rt->activity++;
        rt->removable = false;
        advanceLocked(rt, out);
    }
    deliver(rt, out);
}

int Engine::runOnce(int64_t nowMs)
{
    if (m_stopping)
        return 0;
    reclaimFailedWrites(nowMs);
    auto due = m_store.claimDue(m_config.instanceId, nowMs, m_config.leaseMs, m_config.claimBatch);
    if (!due.ok())
        return 0;
    int taken = 0;
    for (const std::string &gid : *due) {
        RtPtr rt;
        {
            std::lock_guard lock(m_mapMutex);
            if (auto it = m_active.find(gid); it != m_active.end())
                rt = it->second;  // parked but kept in memory (someone waits on it)
        }
        if (rt) {
            {
                std::lock_guard lock(rt->mutex);
                if (rt->inFlight > 0 || rt->queuedWrites > 0 || !rt->gateOpen || rt->broken)
                    continue;  // busy, or a write failed: it moves on (or is taken back) by itself
            }
            rt = refreshParked(rt);
            if (!rt)
                continue;
        } else {
            auto tx = m_store.get(gid, kAttemptsLoaded);
            if (!tx.ok())
                continue;
            tx->summary.owner = m_config.instanceId;
            rt = load(std::move(*tx));
        }
        drive(rt);
        ++taken;
    }
    return taken;
}

absl::StatusOr<int> Engine::recoverOwned()
{
    return m_store.releaseOwned(m_config.instanceId, m_clock.nowMs());
}

void Engine::start()
{
    m_loop = std::thread([this] {
        nameThisThread("recovery");
        while (!m_stopping) {
            while (!m_stopping && runOnce(m_clock.nowMs()) >= m_config.claimBatch) {
            }
            std::unique_lock lock(m_loopMutex);
            m_loopWake.wait_for(lock, std::chrono::milliseconds(m_config.pollIntervalMs),
                                [this] { return m_stopping.load(); });
        }
    });
}

void Engine::stop(std::chrono::milliseconds drain)
{
    m_stopping = true;
    m_loopWake.notify_all();
    if (m_loop.joinable())
        m_loop.join();
    m_deferredFlushes.stop();  // what waits is written now
    // Nobody waits past shutdown: the transactions go on after a restart.
    std::vector<RtPtr> active;
    {
        std::lock_guard lock(m_mapMutex);
        for (auto &[gid, rt] : m_active)
            active.push_back(rt);
    }
    const absl::Status down = absl::UnavailableError(
        "the coordinator is shutting down; the transaction continues after restart");
    for (const RtPtr &rt : active) {
        Outbox out;
        {
            std::lock_guard lock(rt->mutex);
            for (auto &[no, w] : rt->durableWaiters)
                out.answers.emplace_back(std::move(w), down);
            rt->durableWaiters.clear();
            answerAll(rt->finalWaiters, down, out.answers);
            answerAll(rt->roundWaiters, down, out.answers);
        }
        for (auto &[waiter, value] : out.answers)
            waiter(std::move(value));
    }
    auto deadline = std::chrono::steady_clock::now() + drain;
    while (std::chrono::steady_clock::now() < deadline
           && (m_callsInFlight > 0 || m_committer.queued() > 0)) {
        std::unique_lock lock(m_loopMutex);
        m_loopWake.wait_for(lock, std::chrono::milliseconds(5));
    }
}

}  // namespace coord::engine
