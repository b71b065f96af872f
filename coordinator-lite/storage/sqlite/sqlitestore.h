#pragma once

#include "storage/store.h"

#include <memory>
#include <span>
#include <mutex>
#include <string>
#include <vector>

namespace coord::storage {

namespace sqlite {
class Connection;
}
class DatabaseLock;

// Store on one SQLite file in WAL mode: one writer connection (group commits), pooled readers.
// Exactly one store per file at a time, across processes (DatabaseLock).
class SqliteStore : public Store
{
public:
    enum class Sync { Full, Normal };
    static absl::StatusOr<std::unique_ptr<SqliteStore>> open(const std::string &path,
                                                             Sync sync = Sync::Full);
    ~SqliteStore() override;

    DatabaseLock &lock() { return *m_lock; }

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

private:
    class ReaderLease;
    SqliteStore(std::string path, std::unique_ptr<DatabaseLock> lock,
                std::unique_ptr<sqlite::Connection> writer, int64_t lastSeq);
    absl::StatusOr<std::unique_ptr<sqlite::Connection>> takeReader();
    void giveBack(std::unique_ptr<sqlite::Connection> reader);
    // Applies the writes as one batch (rows::applyBatch), inside the caller's transaction.
    absl::Status apply(std::span<TxWrite> writes, std::span<WriteResult> results);

    std::string m_path;
    std::unique_ptr<DatabaseLock> m_lock;
    std::mutex m_writeMutex;
    std::unique_ptr<sqlite::Connection> m_writer;
    int64_t m_lastSeq = 0;  // guarded by m_writeMutex

    std::mutex m_readersMutex;
    std::vector<std::unique_ptr<sqlite::Connection>> m_readers;
};

}  // namespace coord::storage
