#pragma once

#include "domain/operator.h"
#include "domain/types.h"

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace coord::storage {

// A new status/timing for an operation.
struct OpWrite {
    std::string branchId;
    domain::OpKind op = domain::OpKind::Action;
    domain::OpStatus status = domain::OpStatus::Pending;
    int attemptCount = 0;
};

struct AttemptWrite {
    std::string branchId;
    domain::OpKind op = domain::OpKind::Action;
    domain::Attempt attempt;
};

// One atomic change to one transaction (or, with an empty gid, audit entries alone). A batch of
// these is committed together (group commit), but each write succeeds or fails on its own: a failed
// guard leaves nothing of that write behind.
struct TxWrite {
    std::string gid;
    std::optional<domain::Transaction> insert;     // create the transaction with its branches
    std::optional<domain::TxSummary> summary;      // replace the summary row
    std::optional<domain::TxStatus> expectStatus;  // compare-and-set guard for `summary`
    std::string expectOwner;  // when set, the row must still be leased by this owner
    std::vector<domain::Branch> addBranches;  // client-driven TCC registration
    std::vector<OpWrite> ops;
    std::vector<AttemptWrite> attempts;
    std::vector<domain::Event> events;      // seq assigned by the store, in order
    std::vector<domain::AuditEntry> audit;  // operator actions, appended with the change
};

// The outcome of one TxWrite.
struct WriteResult {
    absl::Status status;
    std::vector<domain::Event> events;  // with their assigned seq
};

// Durable state of the coordinator. Implementations: SQLite (single node), PostgreSQL.
class Store
{
public:
    virtual ~Store() = default;

    // With attemptLimit > 0, only the newest attemptLimit attempts of each operation are read
    // (Operation::attemptCount still tells how many there were).
    virtual absl::StatusOr<domain::Transaction> get(const std::string &gid,
                                                    int attemptLimit = 0) = 0;
    virtual absl::StatusOr<domain::ListPage> list(const domain::ListQuery &query) = 0;
    virtual absl::StatusOr<std::vector<domain::Event>> eventsAfter(int64_t seq, int limit) = 0;
    virtual absl::StatusOr<int64_t> lastSeq() = 0;
    // Unfinished transactions per stuck reason ("" = progressing), for metrics.
    virtual absl::StatusOr<std::map<std::string, int64_t>> unfinishedByStuckReason() = 0;
    virtual absl::StatusOr<std::vector<domain::AuditEntry>> listAudit(
        const domain::AuditQuery &query) = 0;
    // Newest first, rows with id < beforeId (0: from the newest), at most `limit` (1..10000).
    virtual absl::StatusOr<std::vector<domain::TxTiming>> timings(int64_t beforeId, int limit) = 0;

    // Applies every write in one durable commit; results[i] belongs to writes[i].
    virtual std::vector<WriteResult> commit(std::span<TxWrite> writes) = 0;

    // Leases up to `limit` unfinished transactions that are due (next_retry <= now) or whose
    // lease expired, for `owner` until now + leaseMs. Compare-and-set: two owners never get
    // the same transaction while its lease is valid.
    virtual absl::StatusOr<std::vector<std::string>> claimDue(const std::string &owner,
                                                              int64_t nowMs, int64_t leaseMs,
                                                              int limit) = 0;

    // Leases one unfinished transaction for `owner` unless another owner holds a valid lease.
    // NotFound for an unknown gid; FailedPrecondition (naming the holder) when leased elsewhere
    // or already finished.
    virtual absl::Status claim(const std::string &gid, const std::string &owner, int64_t nowMs,
                               int64_t leaseMs) = 0;

    // Makes every unfinished transaction leased by `owner` due now (restart of that owner).
    virtual absl::StatusOr<int> releaseOwned(const std::string &owner, int64_t nowMs) = 0;

    // True when other coordinator instances may commit to the same database: their events
    // reach this instance only through the store (eventsAfter), not through its own commits.
    virtual bool isShared() const { return false; }
    // True when a read waits on a database server (a network round trip, a pool that may be
    // empty): a caller on an event loop hands it to a thread of its own.
    virtual bool readsBlock() const { return false; }
    // For shared stores: returns when another instance may have committed events, or after
    // timeoutMs at the latest. Single-instance stores return at once.
    virtual void waitForCommits(int /*timeoutMs*/) {}
};

}  // namespace coord::storage
