#include "pgstore.h"

#include "pgschema.h"
#include "pq.h"
#include "storage/sql/storerows.h"
#include "storage/sql/writeapplier.h"

#include <absl/strings/str_cat.h>

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

namespace coord::storage {

using namespace domain;
using pq::Connection;
using pq::Params;
using pq::Row;
using rows::kSummaryColumns;

namespace {

// The PostgreSQL dialect of rows::applyWrite.
class PgWriteOps
{
public:
    explicit PgWriteOps(Connection &db) : m_db(db) {}

    template <class Bind>
    absl::Status insert(std::string_view table, std::string_view columns, Bind bindValues,
                        int rows = 1)
    {
        Params params;
        bindValues(params);
        return m_db.query(rows::insertSql(rows::Dialect::Postgres, table, columns, rows), params)
            .status();
    }

    absl::Status updateSummary(const TxWrite &w, int64_t lastSeq)
    {
        Params params;
        rows::bindSummaryUpdate(params, w, lastSeq);
        auto up = m_db.query(
            "UPDATE transactions SET status = $1, updated_ms = $2, finished_ms = $3, "
            "next_retry_ms = $4, rollback_reason = $5, retry_paused = $6, stuck_reason = $7, "
            "owner = $8, lease_expires_ms = $9, last_seq = GREATEST(last_seq, $10::bigint), "
            "business_key = $11, retry_attempts = $12 WHERE gid = $13 "
            "AND ($14::int = 0 OR status = $14::int) AND ($15::text = '' OR owner = $15::text)",
            params);
        if (!up.ok())
            return up.status();
        if (up->affected() == 0)
            return rows::guardFailed(w.gid, w.expectStatus, w.expectOwner);
        return absl::OkStatus();
    }

    absl::StatusOr<int> branchCount(const std::string &gid)
    {
        auto count = m_db.query("SELECT COUNT(*) FROM branches WHERE gid = $1", Params().add(gid));
        if (!count.ok())
            return count.status();
        return static_cast<int>(Row(*count, 0).int64(0));
    }

    absl::Status updateOperation(const std::string &gid, const OpWrite &o)
    {
        auto up = m_db.query("UPDATE operations SET status = $1, attempt_count = $2 WHERE "
                             "gid = $3 AND branch_id = $4 AND op = $5",
                             Params()
                                 .add(int64_t(o.status))
                                 .add(int64_t{o.attemptCount})
                                 .add(gid)
                                 .add(o.branchId)
                                 .add(int64_t(o.op)));
        if (!up.ok())
            return up.status();
        if (up->affected() == 0)
            return rows::unknownOperation(gid, o.branchId, o.op);
        return absl::OkStatus();
    }

    absl::Status raiseLastSeq(const std::string &gid, int64_t seq)
    {
        return m_db
            .query("UPDATE transactions SET last_seq = GREATEST(last_seq, $1::bigint) "
                   "WHERE gid = $2",
                   Params().add(seq).add(gid))
            .status();
    }

private:
    Connection &m_db;
};

// A read-only transaction on one snapshot, so several queries agree with each other.
class SnapshotRead
{
public:
    explicit SnapshotRead(Connection &db) : m_db(db)
    {
        m_status = db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    }
    ~SnapshotRead()
    {
        if (m_status.ok())
            m_db.exec("COMMIT").IgnoreError();
    }
    const absl::Status &status() const { return m_status; }

private:
    Connection &m_db;
    absl::Status m_status;
};

// Applies each write in its own savepoint, so only the failed ones fail; `seq` moves past the
// events of those that applied. An error here (the savepoint itself) fails the whole batch.
absl::Status applyEachInASavepoint(Connection &db, PgWriteOps &ops, std::span<TxWrite> writes,
                                   int64_t &seq, std::vector<WriteResult> &results)
{
    for (size_t i = 0; i < writes.size(); ++i) {
        if (auto s = db.exec("SAVEPOINT w"); !s.ok())
            return s;
        results[i].status = rows::applyWrite(ops, writes[i], seq, results[i]);
        if (results[i].status.ok()) {
            seq += static_cast<int64_t>(writes[i].events.size());
            db.exec("RELEASE SAVEPOINT w").IgnoreError();
        } else {
            results[i].events.clear();
            if (auto s = db.exec("ROLLBACK TO SAVEPOINT w; RELEASE SAVEPOINT w"); !s.ok())
                return s;
        }
    }
    return absl::OkStatus();
}

// The new last seq, and a notification that wakes the other instances' followers.
absl::Status publishSeq(Connection &db, int64_t seq)
{
    absl::Status s = db.query("UPDATE event_counter SET last_seq = $1", Params().add(seq)).status();
    if (s.ok())
        s = db.query("SELECT pg_notify($1, $2)",
                     Params().add(pg::kEventsChannel).add(std::to_string(seq)))
                .status();
    return s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgStore>> PgStore::open(const std::string &url)
{
    std::unique_ptr<PgStore> store(new PgStore(url));
    auto db = store->m_pool->take();
    if (!db.ok())
        return db.status();
    if (auto s = pg::migrate(**db); !s.ok())
        return s;
    return store;
}

PgStore::PgStore(std::string url) : m_url(std::move(url)), m_pool(std::make_unique<pq::Pool>(m_url))
{}

PgStore::~PgStore() = default;

absl::StatusOr<Transaction> PgStore::get(const std::string &gid, int attemptLimit)
{
    auto db = m_pool->take();
    if (!db.ok())
        return db.status();
    SnapshotRead read(**db);
    if (!read.status().ok())
        return read.status();

    Transaction tx;
    {
        auto r = (*db)->query(absl::StrCat("SELECT ", kSummaryColumns, ", ", rows::kDetailColumns,
                                           " FROM transactions t WHERE gid = $1"),
                              Params().add(gid));
        if (!r.ok())
            return r.status();
        if (r->rows() == 0)
            return rows::unknownGid(gid);
        rows::readDetail(Row(*r, 0), tx);
    }
    auto branches = (*db)->query(
        absl::StrCat("SELECT ", rows::kBranchColumns, " FROM branches WHERE gid = $1 ORDER BY idx"),
        Params().add(gid));
    if (!branches.ok())
        return branches.status();
    for (int i = 0; i < branches->rows(); ++i)
        tx.branches.push_back(rows::readBranch(Row(*branches, i)));
    auto ops = (*db)->query(absl::StrCat("SELECT ", rows::kOperationColumns,
                                         " FROM operations WHERE gid = $1 ORDER BY branch_id, op"),
                            Params().add(gid));
    if (!ops.ok())
        return ops.status();
    for (int i = 0; i < ops->rows(); ++i)
        rows::addOperation(tx, Row(*ops, i));
    auto attempts = (*db)->query(
        absl::StrCat("SELECT ", rows::kAttemptColumns,
                     " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY branch_id, op ORDER BY id "
                     "DESC) AS newest FROM attempts WHERE gid = $1) a "
                     "WHERE $2::int = 0 OR newest <= $2::int ORDER BY id"),
        Params().add(gid).add(int64_t{std::max(attemptLimit, 0)}));
    if (!attempts.ok())
        return attempts.status();
    for (int i = 0; i < attempts->rows(); ++i)
        rows::addAttempt(tx, Row(*attempts, i));
    return tx;
}

absl::StatusOr<ListPage> PgStore::list(const ListQuery &query)
{
    auto db = m_pool->take();
    if (!db.ok())
        return db.status();
    SnapshotRead read(**db);
    if (!read.status().ok())
        return read.status();
    // Every filter is a bound parameter; an unused one is neutralised by its own value.
    // ILIKE: SQLite's LIKE ignores ASCII case, and both stores answer alike.
    const int limit = rows::listLimit(query.limit);
    auto r =
        (*db)->query(absl::StrCat("SELECT ", kSummaryColumns,
                                  " FROM transactions t WHERE ($1::bigint = 0 OR id < $1::bigint) "
                                  "AND ($2::bigint = 0 OR (($2::bigint >> status) & 1) = 1) "
                                  "AND ($3::bigint = 0 OR (($3::bigint >> type) & 1) = 1) "
                                  "AND ($4::bigint = 0 OR created_ms >= $4::bigint) "
                                  "AND ($5::bigint = 0 OR created_ms < $5::bigint) "
                                  "AND ($6::int = 0 OR stuck_reason <> '') "
                                  "AND ($7::text = '' OR gid ILIKE $7::text ESCAPE '\\' "
                                  "     OR business_key ILIKE $7::text ESCAPE '\\' "
                                  "     OR flow_name ILIKE $7::text ESCAPE '\\') "
                                  "ORDER BY id DESC LIMIT $8"),
                     Params()
                         .add(query.cursor)
                         .add(rows::statusMask(query))
                         .add(rows::typeMask(query))
                         .add(query.createdAfterMs)
                         .add(query.createdBeforeMs)
                         .add(int64_t{query.stuckOnly})
                         .add(query.text.empty() ? std::string() : rows::likePattern(query.text))
                         .add(int64_t{limit}));
    if (!r.ok())
        return r.status();
    ListPage page;
    for (int i = 0; i < r->rows(); ++i)
        page.transactions.push_back(rows::readSummary(Row(*r, i)));
    if (r->rows() == limit)
        page.nextCursor = Row(*r, r->rows() - 1).int64(rows::kSummaryIdColumn);
    auto seq = (*db)->query("SELECT last_seq FROM event_counter");
    if (!seq.ok())
        return seq.status();
    page.lastSeq = seq->rows() > 0 ? Row(*seq, 0).int64(0) : 0;
    return page;
}

absl::StatusOr<std::vector<Event>> PgStore::eventsAfter(int64_t seq, int limit)
{
    auto db = m_pool->take();
    if (!db.ok())
        return db.status();
    auto r = (*db)->query(
        absl::StrCat("SELECT ", rows::kEventColumns, ", ", kSummaryColumns,
                     " FROM events e JOIN transactions t ON t.gid = e.gid WHERE e.seq > $1 "
                     "ORDER BY e.seq LIMIT $2"),
        Params().add(seq).add(int64_t{std::clamp(limit, 1, 10000)}));
    if (!r.ok())
        return r.status();
    std::vector<Event> events;
    events.reserve(r->rows());
    for (int i = 0; i < r->rows(); ++i)
        events.push_back(rows::readEvent(Row(*r, i)));
    return events;
}

absl::StatusOr<int64_t> PgStore::lastSeq()
{
    auto db = m_pool->take();
    if (!db.ok())
        return db.status();
    auto r = (*db)->query("SELECT last_seq FROM event_counter");
    if (!r.ok())
        return r.status();
    return r->rows() > 0 ? Row(*r, 0).int64(0) : 0;
}

absl::StatusOr<std::map<std::string, int64_t>> PgStore::unfinishedByStuckReason()
{
    auto db = m_pool->take();
    if (!db.ok())
        return db.status();
    auto r = (*db)->query("SELECT stuck_reason, COUNT(*) FROM transactions WHERE status IN "
                          "(1, 2, 3) GROUP BY stuck_reason");
    if (!r.ok())
        return r.status();
    std::map<std::string, int64_t> out;
    for (int i = 0; i < r->rows(); ++i)
        out[Row(*r, i).text(0)] = Row(*r, i).int64(1);
    return out;
}

absl::StatusOr<std::vector<TxTiming>> PgStore::timings(int64_t beforeId, int limit)
{
    auto db = m_pool->take();
    if (!db.ok())
        return db.status();
    auto r = (*db)->query("SELECT id, created_ms, finished_ms, status, flow_name FROM transactions "
                          "WHERE ($1::bigint = 0 OR id < $1::bigint) ORDER BY id DESC LIMIT $2",
                          Params().add(beforeId).add(int64_t{std::clamp(limit, 1, 10000)}));
    if (!r.ok())
        return r.status();
    std::vector<TxTiming> out;
    out.reserve(r->rows());
    for (int i = 0; i < r->rows(); ++i) {
        Row row(*r, i);
        out.push_back({row.int64(0), row.int64(1), row.int64(2),
                       static_cast<TxStatus>(row.int64(3)), row.text(4)});
    }
    return out;
}

absl::StatusOr<std::vector<AuditEntry>> PgStore::listAudit(const AuditQuery &query)
{
    auto db = m_pool->take();
    if (!db.ok())
        return db.status();
    auto r = (*db)->query(
        absl::StrCat("SELECT ", rows::kAuditColumns,
                     " FROM audit WHERE ($1::text = '' OR gid = $1::text) AND "
                     "($2::bigint = 0 OR id < $2::bigint) ORDER BY id DESC "
                     "LIMIT $3"),
        Params().add(query.gid).add(query.beforeId).add(int64_t{rows::listLimit(query.limit)}));
    if (!r.ok())
        return r.status();
    std::vector<AuditEntry> out;
    for (int i = 0; i < r->rows(); ++i)
        out.push_back(rows::readAudit(Row(*r, i)));
    return out;
}

std::vector<WriteResult> PgStore::commit(std::span<TxWrite> writes)
{
    std::vector<WriteResult> results(writes.size());
    auto failAll = [&](const absl::Status &s) {
        for (WriteResult &r : results) {
            r.status = s;
            r.events.clear();
        }
        return results;
    };
    auto lease = m_pool->take();
    if (!lease.ok())
        return failAll(lease.status());
    Connection &db = **lease;
    int64_t seqBefore = 0, seq = 0;
    auto begin = [&]() -> absl::Status {
        if (auto s = db.exec("BEGIN"); !s.ok())
            return s;
        // Holding the counter row until COMMIT orders commits of all instances: seqs are handed
        // out gap-free and a reader that sees seq N sees every seq below it.
        auto counter = db.query("SELECT last_seq FROM event_counter FOR UPDATE");
        if (!counter.ok() || counter->rows() != 1) {
            db.exec("ROLLBACK").IgnoreError();
            return counter.ok() ? absl::DataLossError("event_counter must have one row")
                                : counter.status();
        }
        seqBefore = seq = Row(*counter, 0).int64(0);
        return absl::OkStatus();
    };
    if (auto s = begin(); !s.ok())
        return failAll(s);
    PgWriteOps ops(db);
    // First as if every write applies, which they nearly always do: all in one batch, each
    // table's new rows in as few statements (round trips) as they take, no savepoint per write.
    // When one does not (a guard lost to another instance, a gid taken twice), the batch is
    // rolled back and applied again write by write, each in its own savepoint, so that only the
    // failed ones fail.
    if (rows::applyBatch(ops, writes, seq, results).ok()) {
        for (const TxWrite &w : writes)
            seq += static_cast<int64_t>(w.events.size());
    } else {
        db.exec("ROLLBACK").IgnoreError();
        for (WriteResult &r : results)
            r = {};
        if (auto s = begin(); !s.ok())
            return failAll(s);
        if (auto s = applyEachInASavepoint(db, ops, writes, seq, results); !s.ok()) {
            db.exec("ROLLBACK").IgnoreError();
            return failAll(s);
        }
    }
    if (seq != seqBefore)
        if (auto s = publishSeq(db, seq); !s.ok()) {
            db.exec("ROLLBACK").IgnoreError();
            return failAll(s);
        }
    if (auto s = db.exec("COMMIT"); !s.ok()) {
        db.exec("ROLLBACK").IgnoreError();
        if (db.broken() && seq != seqBefore)
            return resolveLostCommit(std::move(results), seqBefore, s);
        return failAll(s);
    }
    return results;
}

// The connection died during COMMIT: the server may or may not have committed. The batch's
// first event tells (its seq was ours while we held the counter row), once the database answers
// again; an answer that it was not stored, or that it may have been, never reads as "done".
std::vector<WriteResult> PgStore::resolveLostCommit(std::vector<WriteResult> results,
                                                    int64_t seqBefore, const absl::Status &lost)
{
    const domain::Event *first = nullptr;
    std::string gids;
    for (const WriteResult &r : results)
        if (r.status.ok() && !r.events.empty()) {
            if (!first)
                first = &r.events.front();
            if (gids.size() < 200)
                absl::StrAppend(&gids, gids.empty() ? "" : ", ", r.events.front().summary.gid);
        }
    auto fail = [&](const absl::Status &s) {
        for (WriteResult &r : results) {
            r.status = s;
            r.events.clear();
        }
        return std::move(results);
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (first && std::chrono::steady_clock::now() < deadline) {
        auto lease = m_pool->take();
        if (lease.ok()) {
            auto r = (*lease)->query("SELECT gid, kind, at_ms FROM events WHERE seq = $1",
                                     Params().add(seqBefore + 1));
            if (r.ok()) {
                const bool committed = r->rows() == 1 && Row(*r, 0).text(0) == first->summary.gid
                    && Row(*r, 0).int64(1) == int64_t(first->kind)
                    && Row(*r, 0).int64(2) == first->atMs;
                spdlog::warn("the connection was lost during COMMIT; the database answers again "
                             "and the write {} stored ({})",
                             committed ? "was" : "was not", gids);
                if (committed)
                    return results;
                return fail(absl::UnavailableError(
                    absl::StrCat(std::string(lost.message()), " (nothing was stored; retry)")));
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return fail(absl::UnavailableError(absl::StrCat(
        std::string(lost.message()),
        " — the outcome is unknown: the database stopped answering during COMMIT, so the "
        "change may have been stored; query ",
        gids.empty() ? std::string("the transaction") : gids, " once it answers again")));
}

void PgStore::waitForCommits(int timeoutMs)
{
    std::lock_guard lock(m_listenMutex);
    if (!m_listener || m_listener->broken()) {
        m_listener.reset();
        auto conn = Connection::open(m_url);
        absl::Status s = conn.ok() ? (*conn)->exec(absl::StrCat("LISTEN ", pg::kEventsChannel))
                                   : conn.status();
        if (!s.ok()) {
            spdlog::warn("cannot listen for other instances' events (polling instead): {}",
                         std::string(s.message()));
            std::this_thread::sleep_for(std::chrono::milliseconds(timeoutMs));
            return;
        }
        m_listener = std::move(*conn);
    }
    auto woke = m_listener->waitForNotification(timeoutMs);
    if (!woke.ok()) {
        spdlog::warn("listening for other instances' events: {}",
                     std::string(woke.status().message()));
        m_listener.reset();
    }
}

}  // namespace coord::storage
