// The lease side of the SQLite store: claiming due work and single transactions by
// compare-and-set on (owner, lease_expires_ms).
#include "sqlitestore.h"

#include "sqlite.h"
#include "storage/sql/storerows.h"

#include <absl/strings/str_cat.h>

#include <algorithm>

namespace coord::storage {

using namespace domain;
using sqlite::Statement;

absl::StatusOr<std::vector<std::string>> SqliteStore::claimDue(const std::string &owner,
                                                               int64_t nowMs, int64_t leaseMs,
                                                               int limit)
{
    std::lock_guard lock(m_writeMutex);
    auto q = m_writer->prepare(
        "UPDATE transactions SET owner = ?1, lease_expires_ms = ?2 + ?3 WHERE id IN ("
        "SELECT id FROM transactions WHERE status IN (1, 2, 3) AND next_retry_ms <= ?2 "
        "AND retry_paused = 0 AND (owner = '' OR owner = ?1 OR lease_expires_ms <= ?2) "
        "ORDER BY next_retry_ms LIMIT ?4) RETURNING gid");
    if (!q.ok())
        return q.status();
    Statement &s = **q;
    s.bind(1, owner).bind(2, nowMs).bind(3, leaseMs).bind(4, int64_t{std::max(limit, 1)});
    std::vector<std::string> gids;
    while (s.step())
        gids.push_back(s.text(0));
    absl::Status status = s.status();
    s.reset();
    if (!status.ok())
        return status;
    return gids;
}

absl::Status SqliteStore::claim(const std::string &gid, const std::string &owner, int64_t nowMs,
                                int64_t leaseMs)
{
    std::lock_guard lock(m_writeMutex);
    auto q = m_writer->prepare(
        "UPDATE transactions SET owner = ?1, lease_expires_ms = ?2 + ?3, "
        "next_retry_ms = MAX(next_retry_ms, ?2 + ?3) WHERE gid = ?4 AND status IN (1, 2, 3) "
        "AND (owner = '' OR owner = ?1 OR lease_expires_ms <= ?2)");
    if (!q.ok())
        return q.status();
    (*q)->bind(1, owner).bind(2, nowMs).bind(3, leaseMs).bind(4, gid);
    if (auto s = (*q)->run(); !s.ok())
        return s;
    if (m_writer->changes() > 0)
        return absl::OkStatus();
    auto why = m_writer->prepare("SELECT status, owner, lease_expires_ms FROM transactions "
                                 "WHERE gid = ?1");
    if (!why.ok())
        return why.status();
    Statement &s = **why;
    s.bind(1, gid);
    if (!s.step()) {
        absl::Status st = s.status();
        s.reset();
        return st.ok() ? rows::unknownGid(gid) : st;
    }
    TxStatus status = static_cast<TxStatus>(s.int64(0));
    std::string holder = s.text(1);
    int64_t until = s.int64(2);
    s.reset();
    return rows::claimRefused(gid, status, holder, until);
}

absl::StatusOr<int> SqliteStore::releaseOwned(const std::string &owner, int64_t nowMs)
{
    std::lock_guard lock(m_writeMutex);
    auto q = m_writer->prepare("UPDATE transactions SET next_retry_ms = ?2, lease_expires_ms = ?2 "
                               "WHERE owner = ?1 AND status IN (1, 2, 3) AND next_retry_ms > ?2");
    if (!q.ok())
        return q.status();
    (*q)->bind(1, owner).bind(2, nowMs);
    if (auto s = (*q)->run(); !s.ok())
        return s;
    return static_cast<int>(m_writer->changes());
}

}  // namespace coord::storage
