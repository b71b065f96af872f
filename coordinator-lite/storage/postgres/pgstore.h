#pragma once

#include "storage/store.h"

#include <memory>
#include <mutex>
#include <string>

namespace coord::storage {

namespace pq {
class Connection;
class Pool;
}  // namespace pq

// Store on a PostgreSQL database that several coordinator instances share. Commits lock a
// one-row event counter, so event seqs are gap-free and visible in commit order across
// instances, and NOTIFY the new last seq; leases are guarded UPDATEs (FOR UPDATE SKIP LOCKED).
class PgStore : public Store
{
public:
    // url: a libpq connection URL, postgresql://user[:password]@host[:port]/database[?…].
    static absl::StatusOr<std::unique_ptr<PgStore>> open(const std::string &url);
    ~PgStore() override;

    absl::StatusOr<domain::Transaction> get(const std::string &gid, int attemptLimit = 0) override;
    absl::StatusOr<domain::ListPage> list(const domain::ListQuery &query) override;
    absl::StatusOr<std::vector<domain::Event>> eventsAfter(int64_t seq, int limit) override;
    absl::StatusOr<int64_t> lastSeq() override;
    absl::StatusOr<std::map<std::string, int64_t>> unfinishedByStuckReason() override;
    absl::StatusOr<std::vector<domain::AuditEntry>> listAudit(
        const domain::AuditQuery &query) override;
    absl::StatusOr<std::vector<domain::TxTiming>> timings(int64_t beforeId, int limit) override;
    std::vector<WriteResult> commit(std::span<TxWrite> writes) override;
    absl::StatusOr<std::vector<std::string>> claimDue(const std::string &owner, int64_t nowMs,
                                                      int64_t leaseMs, int limit) override;
    absl::Status claim(const std::string &gid, const std::string &owner, int64_t nowMs,
                       int64_t leaseMs) override;
    absl::StatusOr<int> releaseOwned(const std::string &owner, int64_t nowMs) override;
    bool isShared() const override { return true; }
    bool readsBlock() const override { return true; }
    void waitForCommits(int timeoutMs) override;

private:
    std::vector<WriteResult> resolveLostCommit(std::vector<WriteResult> results, int64_t seqBefore,
                                               const absl::Status &lost);

    explicit PgStore(std::string url);

    std::string m_url;
    std::unique_ptr<pq::Pool> m_pool;
    std::mutex m_listenMutex;
    std::unique_ptr<pq::Connection> m_listener;  // LISTENs on the events channel
};

}  // namespace coord::storage
