#pragma once

#include "domain/operator.h"
#include "domain/types.h"
#include "storage/store.h"

#include <absl/status/statusor.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace coord::engine {

// Per-operation bookkeeping that only lives in memory.
struct OpState {
    bool inFlight = false;
    int64_t startedMs = 0;
    int64_t nextAttemptMs = 0;  // earliest time of the next attempt
    int consecutiveErrors = 0;  // for the exponential backoff
    bool maybeStarted = false;  // runnable when the transaction was loaded: may have run
};

using TxWaiter = std::function<void(absl::StatusOr<domain::Transaction>)>;

// One transaction this instance is driving: the in-memory truth (committed, or queued for
// commit in order), guarded by its own mutex.
struct TxRuntime {
    std::mutex mutex;
    domain::Transaction tx;
    std::vector<std::string> order;  // branch ids, dependencies first
    std::map<std::pair<std::string, domain::OpKind>, OpState> ops;

    domain::TxStatus writtenStatus = domain::TxStatus::Submitted;  // as of the last queued write
    bool inserted = false;  // the insert write has been queued
    bool gateOpen = true;   // false while a decision is not yet durable: no calls meanwhile
    int inFlight = 0;
    int queuedWrites = 0;
    bool broken = false;         // a write failed; drop and let recovery reload it
    bool removable = false;      // parked or finished: may leave memory once its write is durable
    uint64_t activity = 0;       // bumped by every event, so a stale park does not evict
    bool flushDeferred = false;  // pending changes wait for the next write (or the delay queue)

    // Changes not yet handed to the committer; flushed with the next write.
    std::vector<storage::OpWrite> opWrites;
    std::vector<storage::AttemptWrite> attemptWrites;
    std::vector<domain::Event> events;
    std::vector<domain::Branch> newBranches;
    std::vector<domain::AuditEntry> pendingAudit;

    uint64_t writeCount = 0;  // writes handed to the committer so far
    std::vector<std::pair<uint64_t, TxWaiter>> durableWaiters;  // answer once write #n is durable
    std::vector<TxWaiter> finalWaiters;                         // answer when finished
    std::vector<TxWaiter> roundWaiters;  // answer when finished or parked (wait_result)

    OpState &state(const std::string &branchId, domain::OpKind op) { return ops[{branchId, op}]; }
    // Queues an operation's new status; a later change to the same operation replaces it.
    void recordOp(storage::OpWrite write);
    // Answered when the next write (the one carrying the caller's change) is durable.
    void waitDurable(TxWaiter waiter)
    {
        durableWaiters.emplace_back(writeCount + 1, std::move(waiter));
    }
    bool hasPendingChanges() const
    {
        return !opWrites.empty() || !attemptWrites.empty() || !events.empty()
            || !newBranches.empty() || !pendingAudit.empty();
    }

    // Rebuilds `order` from the branches (dependencies first, then declaration order).
    void computeOrder();
    bool mayHaveStarted(const domain::Branch &b, domain::OpKind firstPhase) const;
    std::vector<const domain::Branch *> dependents(const std::string &branchId) const;
};

}  // namespace coord::engine
