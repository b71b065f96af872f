// The lease side of the PostgreSQL store: claiming due work and single transactions by
// compare-and-set on (owner, lease_expires_ms), safe between instances.
#include "pgstore.h"

#include "pq.h"
#include "storage/sql/storerows.h"

#include <algorithm>

namespace coord::storage {

using namespace domain;
using pq::Params;
using pq::Row;

absl::StatusOr<std::vector<std::string>> PgStore::claimDue(const std::string &owner, int64_t nowMs,
                                                           int64_t leaseMs, int limit)
{
    auto db = m_pool->take();
    if (!db.ok())
        return db.status();
    // SKIP LOCKED: instances claiming at the same moment take different rows instead of
    // queueing on each other; the outer guard re-checks the lease on the row it updates.
    auto r = (*db)->query(
        "UPDATE transactions SET owner = $1, lease_expires_ms = $2::bigint + $3::bigint "
        "WHERE id IN (SELECT id FROM transactions WHERE status IN (1, 2, 3) "
        "AND next_retry_ms <= $2::bigint AND retry_paused = 0 "
        "AND (owner = '' OR owner = $1 OR lease_expires_ms <= $2::bigint) "
        "ORDER BY next_retry_ms LIMIT $4 FOR UPDATE SKIP LOCKED) "
        "AND (owner = '' OR owner = $1 OR lease_expires_ms <= $2::bigint) RETURNING gid",
        Params().add(owner).add(nowMs).add(leaseMs).add(int64_t{std::max(limit, 1)}));
    if (!r.ok())
        return r.status();
    std::vector<std::string> gids;
    for (int i = 0; i < r->rows(); ++i)
        gids.push_back(Row(*r, i).text(0));
    return gids;
}

absl::Status PgStore::claim(const std::string &gid, const std::string &owner, int64_t nowMs,
                            int64_t leaseMs)
{
    auto db = m_pool->take();
    if (!db.ok())
        return db.status();
    auto r = (*db)->query(
        "UPDATE transactions SET owner = $1, lease_expires_ms = $2::bigint + $3::bigint, "
        "next_retry_ms = GREATEST(next_retry_ms, $2::bigint + $3::bigint) WHERE gid = $4 "
        "AND status IN (1, 2, 3) AND (owner = '' OR owner = $1 OR lease_expires_ms <= $2::bigint)",
        Params().add(owner).add(nowMs).add(leaseMs).add(gid));
    if (!r.ok())
        return r.status();
    if (r->affected() > 0)
        return absl::OkStatus();
    auto why = (*db)->query("SELECT status, owner, lease_expires_ms FROM transactions "
                            "WHERE gid = $1",
                            Params().add(gid));
    if (!why.ok())
        return why.status();
    if (why->rows() == 0)
        return rows::unknownGid(gid);
    Row s(*why, 0);
    return rows::claimRefused(gid, static_cast<TxStatus>(s.int64(0)), s.text(1), s.int64(2));
}

absl::StatusOr<int> PgStore::releaseOwned(const std::string &owner, int64_t nowMs)
{
    auto db = m_pool->take();
    if (!db.ok())
        return db.status();
    auto r = (*db)->query("UPDATE transactions SET next_retry_ms = $2, lease_expires_ms = $2 "
                          "WHERE owner = $1 AND status IN (1, 2, 3) AND next_retry_ms > $2",
                          Params().add(owner).add(nowMs));
    if (!r.ok())
        return r.status();
    return static_cast<int>(r->affected());
}

}  // namespace coord::storage
