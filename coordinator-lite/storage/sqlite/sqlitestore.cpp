#include "sqlitestore.h"

#include "databaselock.h"
#include "sqlite.h"
#include "sqliteschema.h"
#include "walbuffervfs.h"
#include "storage/sql/storerows.h"
#include "storage/sql/writeapplier.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>

#include <algorithm>

namespace coord::storage {

using namespace domain;
using rows::kSummaryColumns;
using sqlite::Connection;
using sqlite::Statement;

namespace {

// The SQLite dialect of rows::applyWrite.
class SqliteWriteOps
{
public:
    explicit SqliteWriteOps(Connection &db) : m_db(db) {}

    template <class Bind>
    absl::Status insert(std::string_view table, std::string_view columns, Bind bindValues,
                        int rows = 1)
    {
        auto ins = m_db.prepare(rows::insertSql(rows::Dialect::Sqlite, table, columns, rows));
        if (!ins.ok())
            return ins.status();
        bindValues(**ins);
        return (*ins)->run();
    }

    absl::Status updateSummary(const TxWrite &w, int64_t lastSeq)
    {
        auto up = m_db.prepare(
            "UPDATE transactions SET status = ?1, updated_ms = ?2, finished_ms = ?3, "
            "next_retry_ms = ?4, rollback_reason = ?5, retry_paused = ?6, stuck_reason = ?7, "
            "owner = ?8, lease_expires_ms = ?9, last_seq = MAX(last_seq, ?10), business_key = ?11, "
            "retry_attempts = ?12 WHERE gid = ?13 AND (?14 = 0 OR status = ?14) AND (?15 = '' OR "
            "owner = ?15)");
        if (!up.ok())
            return up.status();
        rows::bindSummaryUpdate(**up, w, lastSeq);
        if (auto st = (*up)->run(); !st.ok())
            return st;
        if (m_db.changes() == 0)
            return rows::guardFailed(w.gid, w.expectStatus, w.expectOwner);
        return absl::OkStatus();
    }

    absl::StatusOr<int> branchCount(const std::string &gid)
    {
        auto count = m_db.prepare("SELECT COUNT(*) FROM branches WHERE gid = ?1");
        if (!count.ok())
            return count.status();
        (*count)->bind(1, gid);
        int n = (*count)->step() ? static_cast<int>((*count)->int64(0)) : 0;
        absl::Status st = (*count)->status();
        (*count)->reset();
        if (!st.ok())
            return st;
        return n;
    }

    absl::Status updateOperation(const std::string &gid, const OpWrite &o)
    {
        auto up = m_db.prepare("UPDATE operations SET status = ?1, attempt_count = ?2 WHERE "
                               "gid = ?3 AND branch_id = ?4 AND op = ?5");
        if (!up.ok())
            return up.status();
        (*up)->bind(1, int64_t(o.status)).bind(2, int64_t{o.attemptCount}).bind(3, gid);
        (*up)->bind(4, o.branchId).bind(5, int64_t(o.op));
        if (auto s = (*up)->run(); !s.ok())
            return s;
        if (m_db.changes() == 0)
            return rows::unknownOperation(gid, o.branchId, o.op);
        return absl::OkStatus();
    }

    absl::Status raiseLastSeq(const std::string &gid, int64_t seq)
    {
        auto up =
            m_db.prepare("UPDATE transactions SET last_seq = MAX(last_seq, ?1) WHERE gid = ?2");
        if (!up.ok())
            return up.status();
        (*up)->bind(1, seq).bind(2, gid);
        return (*up)->run();
    }

private:
    Connection &m_db;
};

}  // namespace

class SqliteStore::ReaderLease
{
public:
    explicit ReaderLease(SqliteStore &store) : m_store(store)
    {
        auto r = store.takeReader();
        if (r.ok())
            m_conn = std::move(*r);
        else
            m_status = r.status();
    }
    ~ReaderLease()
    {
        if (m_conn)
            m_store.giveBack(std::move(m_conn));
    }
    Connection *operator->() { return m_conn.get(); }
    Connection &operator*() { return *m_conn; }
    const absl::Status &status() const { return m_status; }

private:
    SqliteStore &m_store;
    std::unique_ptr<Connection> m_conn;
    absl::Status m_status;
};

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string &path, Sync sync)
{
    // Durable commits sync the WAL before a reader can see them: its writes can wait for that.
    auto writer = Connection::open(path, false,
                                   sync == Sync::Full ? sqlite::walBufferVfs() : nullptr);
    if (!writer.ok())
        return writer.status();
    Connection &db = **writer;
    // Before anything is written: one live coordinator per file.
    auto lock = DatabaseLock::acquire(path);
    if (!lock.ok())
        return lock.status();
    // journal_mode answers with a row; exec discards it.
    if (auto s = db.exec("PRAGMA journal_mode = WAL"); !s.ok())
        return s;
    if (auto s = db.exec(sync == Sync::Full ? "PRAGMA synchronous = FULL"
                                            : "PRAGMA synchronous = NORMAL");
        !s.ok())
        return s;
    if (auto s = db.exec("PRAGMA foreign_keys = ON"); !s.ok())
        return s;
    if (auto s = sqlite::migrate(db); !s.ok())
        return s;
    auto max = db.prepare("SELECT COALESCE(MAX(seq), 0) FROM events");
    if (!max.ok())
        return max.status();
    int64_t last = (*max)->step() ? (*max)->int64(0) : 0;
    if (auto s = (*max)->status(); !s.ok())
        return s;
    (*max)->reset();
    return std::unique_ptr<SqliteStore>(
        new SqliteStore(path, std::move(*lock), std::move(*writer), last));
}

SqliteStore::SqliteStore(std::string path, std::unique_ptr<DatabaseLock> lock,
                         std::unique_ptr<Connection> writer, int64_t lastSeq)
    : m_path(std::move(path)),
      m_lock(std::move(lock)),
      m_writer(std::move(writer)),
      m_lastSeq(lastSeq)
{}

SqliteStore::~SqliteStore() = default;

absl::StatusOr<std::unique_ptr<Connection>> SqliteStore::takeReader()
{
    {
        std::lock_guard lock(m_readersMutex);
        if (!m_readers.empty()) {
            auto c = std::move(m_readers.back());
            m_readers.pop_back();
            return c;
        }
    }
    return Connection::open(m_path, true);
}

void SqliteStore::giveBack(std::unique_ptr<Connection> reader)
{
    std::lock_guard lock(m_readersMutex);
    if (m_readers.size() < 8)
        m_readers.push_back(std::move(reader));
}

absl::StatusOr<Transaction> SqliteStore::get(const std::string &gid, int attemptLimit)
{
    ReaderLease db(*this);
    if (!db.status().ok())
        return db.status();
    if (auto s = db->run("BEGIN"); !s.ok())
        return s;
    struct EndRead {
        Connection &c;
        ~EndRead() { c.run("COMMIT").IgnoreError(); }
    } end{*db};

    Transaction tx;
    {
        auto q = db->prepare(absl::StrCat("SELECT ", kSummaryColumns, ", ", rows::kDetailColumns,
                                          " FROM transactions t WHERE gid = ?1"));
        if (!q.ok())
            return q.status();
        Statement &s = **q;
        s.bind(1, gid);
        if (!s.step()) {
            if (!s.status().ok())
                return s.status();
            return rows::unknownGid(gid);
        }
        rows::readDetail(s, tx);
        s.reset();
    }
    {
        auto q = db->prepare(absl::StrCat("SELECT ", rows::kBranchColumns,
                                          " FROM branches WHERE gid = ?1 ORDER BY idx"));
        if (!q.ok())
            return q.status();
        Statement &s = **q;
        s.bind(1, gid);
        while (s.step())
            tx.branches.push_back(rows::readBranch(s));
        if (!s.status().ok())
            return s.status();
        s.reset();
    }
    {
        auto q =
            db->prepare(absl::StrCat("SELECT ", rows::kOperationColumns,
                                     " FROM operations WHERE gid = ?1 ORDER BY branch_id, op"));
        if (!q.ok())
            return q.status();
        Statement &s = **q;
        s.bind(1, gid);
        while (s.step())
            rows::addOperation(tx, s);
        if (!s.status().ok())
            return s.status();
        s.reset();
    }
    {
        auto q = db->prepare(
            absl::StrCat("SELECT ", rows::kAttemptColumns,
                         " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY branch_id, op "
                         "ORDER BY id DESC) AS newest FROM attempts WHERE gid = ?1) "
                         "WHERE ?2 = 0 OR newest <= ?2 ORDER BY id"));
        if (!q.ok())
            return q.status();
        Statement &s = **q;
        s.bind(1, gid).bind(2, int64_t{std::max(attemptLimit, 0)});
        while (s.step())
            rows::addAttempt(tx, s);
        if (!s.status().ok())
            return s.status();
        s.reset();
    }
    return tx;
}

absl::StatusOr<ListPage> SqliteStore::list(const ListQuery &query)
{
    ReaderLease db(*this);
    if (!db.status().ok())
        return db.status();
    if (auto s = db->run("BEGIN"); !s.ok())
        return s;
    struct EndRead {
        Connection &c;
        ~EndRead() { c.run("COMMIT").IgnoreError(); }
    } end{*db};

    // Every filter is a bound parameter; an unused one is neutralised by its own value.
    auto q = db->prepare(absl::StrCat(
        "SELECT ", kSummaryColumns,
        " FROM transactions t WHERE (?1 = 0 OR id < ?1) AND (?2 = 0 OR ((?2 >> status) & 1)) "
        "AND (?3 = 0 OR ((?3 >> type) & 1)) AND (?4 = 0 OR created_ms >= ?4) "
        "AND (?5 = 0 OR created_ms < ?5) AND (?6 = 0 OR stuck_reason != '') "
        "AND (?7 = '' OR gid LIKE ?7 ESCAPE '\\' OR business_key LIKE ?7 ESCAPE '\\' "
        "     OR flow_name LIKE ?7 ESCAPE '\\') "
        "ORDER BY id DESC LIMIT ?8"));
    if (!q.ok())
        return q.status();
    const int limit = rows::listLimit(query.limit);
    Statement &s = **q;
    s.bind(1, query.cursor)
        .bind(2, rows::statusMask(query))
        .bind(3, rows::typeMask(query))
        .bind(4, query.createdAfterMs);
    s.bind(5, query.createdBeforeMs).bind(6, int64_t{query.stuckOnly});
    s.bind(7, query.text.empty() ? std::string() : rows::likePattern(query.text));
    s.bind(8, int64_t{limit});
    ListPage page;
    int64_t lastId = 0;
    while (s.step()) {
        page.transactions.push_back(rows::readSummary(s));
        lastId = s.int64(rows::kSummaryIdColumn);
    }
    if (!s.status().ok())
        return s.status();
    s.reset();
    if (static_cast<int>(page.transactions.size()) == limit)
        page.nextCursor = lastId;
    auto seq = db->prepare("SELECT COALESCE(MAX(seq), 0) FROM events");
    if (!seq.ok())
        return seq.status();
    page.lastSeq = (*seq)->step() ? (*seq)->int64(0) : 0;
    (*seq)->reset();
    return page;
}

absl::StatusOr<std::vector<Event>> SqliteStore::eventsAfter(int64_t seq, int limit)
{
    ReaderLease db(*this);
    if (!db.status().ok())
        return db.status();
    auto q = db->prepare(absl::StrCat(
        "SELECT ", rows::kEventColumns, ", ", kSummaryColumns,
        " FROM events e JOIN transactions t ON t.gid = e.gid WHERE e.seq > ?1 ORDER BY e.seq "
        "LIMIT ?2"));
    if (!q.ok())
        return q.status();
    Statement &s = **q;
    s.bind(1, seq).bind(2, int64_t{std::clamp(limit, 1, 10000)});
    std::vector<Event> events;
    while (s.step())
        events.push_back(rows::readEvent(s));
    if (!s.status().ok())
        return s.status();
    s.reset();
    return events;
}

absl::StatusOr<std::map<std::string, int64_t>> SqliteStore::unfinishedByStuckReason()
{
    ReaderLease db(*this);
    if (!db.status().ok())
        return db.status();
    auto q = db->prepare("SELECT stuck_reason, COUNT(*) FROM transactions WHERE status IN "
                         "(1, 2, 3) GROUP BY stuck_reason");
    if (!q.ok())
        return q.status();
    std::map<std::string, int64_t> out;
    while ((*q)->step())
        out[(*q)->text(0)] = (*q)->int64(1);
    absl::Status st = (*q)->status();
    (*q)->reset();
    if (!st.ok())
        return st;
    return out;
}

absl::StatusOr<std::vector<TxTiming>> SqliteStore::timings(int64_t beforeId, int limit)
{
    ReaderLease db(*this);
    if (!db.status().ok())
        return db.status();
    auto q = db->prepare("SELECT id, created_ms, finished_ms, status, flow_name FROM transactions "
                         "WHERE (?1 = 0 OR id < ?1) ORDER BY id DESC LIMIT ?2");
    if (!q.ok())
        return q.status();
    Statement &s = **q;
    s.bind(1, beforeId).bind(2, int64_t{std::clamp(limit, 1, 10000)});
    std::vector<TxTiming> out;
    while (s.step())
        out.push_back(
            {s.int64(0), s.int64(1), s.int64(2), static_cast<TxStatus>(s.int64(3)), s.text(4)});
    absl::Status st = s.status();
    s.reset();
    if (!st.ok())
        return st;
    return out;
}

absl::StatusOr<std::vector<AuditEntry>> SqliteStore::listAudit(const AuditQuery &query)
{
    ReaderLease db(*this);
    if (!db.status().ok())
        return db.status();
    auto q = db->prepare(absl::StrCat("SELECT ", rows::kAuditColumns,
                                      " FROM audit WHERE (?1 = '' OR gid = ?1) AND "
                                      "(?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3"));
    if (!q.ok())
        return q.status();
    Statement &s = **q;
    s.bind(1, query.gid).bind(2, query.beforeId);
    s.bind(3, int64_t{rows::listLimit(query.limit)});
    std::vector<AuditEntry> out;
    while (s.step())
        out.push_back(rows::readAudit(s));
    absl::Status st = s.status();
    s.reset();
    if (!st.ok())
        return st;
    return out;
}

absl::StatusOr<int64_t> SqliteStore::lastSeq()
{
    std::lock_guard lock(m_writeMutex);
    return m_lastSeq;
}

absl::Status SqliteStore::apply(std::span<TxWrite> writes, std::span<WriteResult> results)
{
    SqliteWriteOps db(*m_writer);
    if (auto s = rows::applyBatch(db, writes, m_lastSeq, results); !s.ok())
        return s;
    for (const TxWrite &w : writes)
        m_lastSeq += static_cast<int64_t>(w.events.size());
    return absl::OkStatus();
}

std::vector<WriteResult> SqliteStore::commit(std::span<TxWrite> writes)
{
    std::vector<WriteResult> results(writes.size());
    std::lock_guard lock(m_writeMutex);
    Connection &db = *m_writer;
    auto failAll = [&](const absl::Status &s) {
        for (WriteResult &r : results) {
            r.status = s;
            r.events.clear();
        }
        return results;
    };
    const int64_t seqBefore = m_lastSeq;
    if (auto s = db.run("BEGIN IMMEDIATE"); !s.ok())
        return failAll(s);
    // First as if every write applies, which they nearly always do: all in one batch, each
    // table's new rows in as few statements as they take, no savepoint per write. When one does
    // not (a guard lost to another writer, a gid taken twice, a full disk), the batch is rolled
    // back and applied again write by write, each in its own savepoint, so that only the failed
    // ones fail.
    bool allApplied = apply(writes, results).ok();
    if (!allApplied) {
        db.run("ROLLBACK").IgnoreError();
        m_lastSeq = seqBefore;
        for (WriteResult &r : results)
            r = {};
        if (auto s = db.run("BEGIN IMMEDIATE"); !s.ok())
            return failAll(s);
    }
    for (size_t i = 0; i < writes.size() && !allApplied; ++i) {
        if (auto s = db.run("SAVEPOINT w"); !s.ok()) {
            db.run("ROLLBACK").IgnoreError();
            m_lastSeq = seqBefore;
            return failAll(s);
        }
        const int64_t seqAtWrite = m_lastSeq;
        results[i].status = apply(writes.subspan(i, 1), std::span(results).subspan(i, 1));
        if (!results[i].status.ok()) {
            m_lastSeq = seqAtWrite;
            results[i].events.clear();
            db.run("ROLLBACK TO w").IgnoreError();
        }
        db.run("RELEASE w").IgnoreError();
    }
    if (auto s = db.run("COMMIT"); !s.ok()) {
        db.run("ROLLBACK").IgnoreError();
        m_lastSeq = seqBefore;
        return failAll(s);
    }
    return results;
}

}  // namespace coord::storage
