#include "sqlitestore.h"

#include "sqlite.h"
#include "sqliteschema.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>

#include <algorithm>

namespace coord::storage {

using namespace domain;
using sqlite::Connection;
using sqlite::Statement;

namespace {

// Read from `transactions t`.
constexpr const char *kSummaryColumns =
    "t.gid, t.type, t.status, t.business_key, t.flow_name, t.created_ms, t.updated_ms, "
    "t.finished_ms, t.next_retry_ms, t.rollback_reason, t.retry_paused, t.stuck_reason, "
    "t.owner, t.lease_expires_ms, t.last_seq, "
    "(SELECT COUNT(*) FROM branches b WHERE b.gid = t.gid), t.id";

// Reads the kSummaryColumns that start at column `first`.
TxSummary readSummary(const Statement &s, int first = 0)
{
    auto i64 = [&](int c) { return s.int64(first + c); };
    auto txt = [&](int c) { return s.text(first + c); };
    TxSummary t;
    t.gid = txt(0);
    t.type = static_cast<TxType>(i64(1));
    t.status = static_cast<TxStatus>(i64(2));
    t.businessKey = txt(3);
    t.flowName = txt(4);
    t.createdMs = i64(5);
    t.updatedMs = i64(6);
    t.finishedMs = i64(7);
    t.nextRetryMs = i64(8);
    t.rollbackReason = txt(9);
    t.retryPaused = i64(10) != 0;
    t.stuckReason = txt(11);
    t.owner = txt(12);
    t.leaseExpiresMs = i64(13);
    t.lastSeq = i64(14);
    t.branchCount = static_cast<int>(i64(15));
    return t;
}

std::string likePattern(std::string_view text)
{
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '%';
    return out;
}

absl::Status insertOps(Connection &db, const std::string &gid, const Branch &b)
{
    for (const Operation &op : b.ops) {
        auto ins = db.prepare("INSERT INTO operations(gid, branch_id, op, endpoint, status, "
                              "attempt_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        if (!ins.ok())
            return ins.status();
        (*ins)->bind(1, gid).bind(2, b.id).bind(3, static_cast<int64_t>(op.op));
        (*ins)->bind(4, op.endpoint).bind(5, static_cast<int64_t>(op.status));
        (*ins)->bind(6, static_cast<int64_t>(op.attemptCount));
        if (auto s = (*ins)->run(); !s.ok())
            return s;
    }
    return absl::OkStatus();
}

absl::Status insertBranch(Connection &db, const std::string &gid, int index, const Branch &b)
{
    auto ins = db.prepare(
        "INSERT INTO branches(gid, idx, branch_id, name, after, not_rollbackable, payload, "
        "request_timeout_ms, max_retries) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!ins.ok())
        return ins.status();
    (*ins)->bind(1, gid).bind(2, int64_t{index}).bind(3, b.id).bind(4, b.name);
    (*ins)->bind(5, absl::StrJoin(b.after, ",")).bind(6, int64_t{b.notRollbackable});
    (*ins)->bindBlob(7, b.payload).bind(8, b.requestTimeoutMs).bind(9, int64_t{b.maxRetries});
    if (auto s = (*ins)->run(); !s.ok()) {
        if (absl::IsAlreadyExists(s))
            return absl::AlreadyExistsError(
                absl::StrCat("branch ", b.id, " already exists in ", gid));
        return s;
    }
    return insertOps(db, gid, b);
}

absl::Status insertTransaction(Connection &db, const Transaction &tx)
{
    const TxSummary &t = tx.summary;
    auto ins = db.prepare(
        "INSERT INTO transactions(gid, type, status, business_key, flow_name, created_ms, "
        "updated_ms, finished_ms, next_retry_ms, rollback_reason, retry_paused, stuck_reason, "
        "owner, lease_expires_ms, last_seq, timeout_to_fail_ms, retry_interval_ms, "
        "request_timeout_ms, max_retries, wait_result, flow_json, client_driven) VALUES (?1, ?2, "
        "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
        "?22)");
    if (!ins.ok())
        return ins.status();
    Statement &s = **ins;
    s.bind(1, t.gid).bind(2, int64_t(t.type)).bind(3, int64_t(t.status)).bind(4, t.businessKey);
    s.bind(5, t.flowName).bind(6, t.createdMs).bind(7, t.updatedMs).bind(8, t.finishedMs);
    s.bind(9, t.nextRetryMs).bind(10, t.rollbackReason).bind(11, int64_t{t.retryPaused});
    s.bind(12, t.stuckReason).bind(13, t.owner).bind(14, t.leaseExpiresMs).bind(15, t.lastSeq);
    s.bind(16, tx.options.timeoutToFailMs).bind(17, tx.options.retryIntervalMs);
    s.bind(18, tx.options.requestTimeoutMs).bind(19, int64_t{tx.options.maxRetries});
    s.bind(20, int64_t{tx.options.waitResult}).bind(21, tx.flowJson);
    s.bind(22, int64_t{tx.clientDriven});
    if (auto st = s.run(); !st.ok()) {
        if (absl::IsAlreadyExists(st))
            return absl::AlreadyExistsError(absl::StrCat("transaction ", t.gid, " already exists"));
        return st;
    }
    for (size_t i = 0; i < tx.branches.size(); ++i)
        if (auto st = insertBranch(db, t.gid, static_cast<int>(i), tx.branches[i]); !st.ok())
            return st;
    return absl::OkStatus();
}

absl::Status updateSummary(Connection &db, const TxWrite &w, int64_t lastSeq)
{
    const TxSummary &t = *w.summary;
    auto up = db.prepare(
        "UPDATE transactions SET status = ?1, updated_ms = ?2, finished_ms = ?3, "
        "next_retry_ms = ?4, rollback_reason = ?5, retry_paused = ?6, stuck_reason = ?7, "
        "owner = ?8, lease_expires_ms = ?9, last_seq = MAX(last_seq, ?10), business_key = ?11 "
        "WHERE gid = ?12 AND (?13 = 0 OR status = ?13) AND (?14 = '' OR owner = ?14)");
    if (!up.ok())
        return up.status();
    Statement &s = **up;
    s.bind(1, int64_t(t.status)).bind(2, t.updatedMs).bind(3, t.finishedMs).bind(4, t.nextRetryMs);
    s.bind(5, t.rollbackReason).bind(6, int64_t{t.retryPaused}).bind(7, t.stuckReason);
    s.bind(8, t.owner).bind(9, t.leaseExpiresMs).bind(10, lastSeq).bind(11, t.businessKey);
    s.bind(12, w.gid).bind(13, w.expectStatus ? int64_t(*w.expectStatus) : 0);
    s.bind(14, w.expectOwner);
    if (auto st = s.run(); !st.ok())
        return st;
    if (db.changes() == 0)
        return absl::FailedPreconditionError(absl::StrCat(
            "transaction ", w.gid, " changed concurrently (expected status ",
            w.expectStatus ? toString(*w.expectStatus) : "any",
            w.expectOwner.empty() ? "" : absl::StrCat(", owner ", w.expectOwner), ")"));
    return absl::OkStatus();
}

absl::Status writeEvent(Connection &db, const Event &e)
{
    auto ins = db.prepare("INSERT INTO events(seq, gid, at_ms, kind, branch_id, op, op_status, "
                          "outcome, status_code, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                          "?8, ?9, ?10)");
    if (!ins.ok())
        return ins.status();
    Statement &s = **ins;
    s.bind(1, e.seq).bind(2, e.summary.gid).bind(3, e.atMs).bind(4, int64_t(e.kind));
    s.bind(5, e.branchId).bind(6, e.op ? int64_t(*e.op) : 0);
    s.bind(7, e.opStatus ? int64_t(*e.opStatus) : 0);
    s.bind(8, e.attempt ? int64_t(e.attempt->outcome) : 0);
    s.bind(9, e.attempt ? int64_t{e.attempt->statusCode} : 0).bind(10, e.message);
    return s.run();
}

absl::Status writeAudit(Connection &db, const AuditEntry &a)
{
    auto ins = db.prepare("INSERT INTO audit(at_ms, who, role, action, gid, branch_id, reason, "
                          "state_before, state_after, outcome, detail) VALUES (?1, ?2, ?3, ?4, "
                          "?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!ins.ok())
        return ins.status();
    Statement &s = **ins;
    s.bind(1, a.atMs).bind(2, a.who).bind(3, a.role).bind(4, a.action).bind(5, a.gid);
    s.bind(6, a.branchId).bind(7, a.reason).bind(8, a.stateBefore).bind(9, a.stateAfter);
    s.bind(10, a.outcome).bind(11, a.detail);
    return s.run();
}

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
    auto writer = Connection::open(path, false);
    if (!writer.ok())
        return writer.status();
    Connection &db = **writer;
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
    return std::unique_ptr<SqliteStore>(new SqliteStore(path, std::move(*writer), last));
}

SqliteStore::SqliteStore(std::string path, std::unique_ptr<Connection> writer, int64_t lastSeq)
    : m_path(std::move(path)), m_writer(std::move(writer)), m_lastSeq(lastSeq)
{
}

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
        auto q = db->prepare(absl::StrCat(
            "SELECT ", kSummaryColumns,
            ", timeout_to_fail_ms, retry_interval_ms, request_timeout_ms, max_retries, "
            "wait_result, flow_json, client_driven FROM transactions t WHERE gid = ?1"));
        if (!q.ok())
            return q.status();
        Statement &s = **q;
        s.bind(1, gid);
        if (!s.step()) {
            if (!s.status().ok())
                return s.status();
            return absl::NotFoundError(absl::StrCat("unknown gid '", gid, "'"));
        }
        tx.summary = readSummary(s);
        tx.options.timeoutToFailMs = s.int64(17);
        tx.options.retryIntervalMs = s.int64(18);
        tx.options.requestTimeoutMs = s.int64(19);
        tx.options.maxRetries = static_cast<int>(s.int64(20));
        tx.options.waitResult = s.int64(21) != 0;
        tx.flowJson = s.text(22);
        tx.clientDriven = s.int64(23) != 0;
        s.reset();
    }
    {
        auto q = db->prepare("SELECT branch_id, name, after, not_rollbackable, payload, "
                             "request_timeout_ms, max_retries FROM branches WHERE gid = ?1 "
                             "ORDER BY idx");
        if (!q.ok())
            return q.status();
        Statement &s = **q;
        s.bind(1, gid);
        while (s.step()) {
            Branch b;
            b.id = s.text(0);
            b.name = s.text(1);
            std::string after = s.text(2);
            if (!after.empty())
                b.after = absl::StrSplit(after, ',');
            b.notRollbackable = s.int64(3) != 0;
            b.payload = s.text(4);
            b.requestTimeoutMs = s.int64(5);
            b.maxRetries = static_cast<int>(s.int64(6));
            tx.branches.push_back(std::move(b));
        }
        if (!s.status().ok())
            return s.status();
        s.reset();
    }
    {
        auto q = db->prepare("SELECT branch_id, op, endpoint, status, attempt_count FROM "
                             "operations WHERE gid = ?1 ORDER BY branch_id, op");
        if (!q.ok())
            return q.status();
        Statement &s = **q;
        s.bind(1, gid);
        while (s.step()) {
            Branch *b = tx.findBranch(s.text(0));
            if (!b)
                continue;
            Operation op;
            op.op = static_cast<OpKind>(s.int64(1));
            op.endpoint = s.text(2);
            op.status = static_cast<OpStatus>(s.int64(3));
            op.attemptCount = static_cast<int>(s.int64(4));
            b->ops.push_back(std::move(op));
        }
        if (!s.status().ok())
            return s.status();
        s.reset();
    }
    {
        auto q = db->prepare(
            "SELECT branch_id, op, started_ms, ended_ms, outcome, status_code, error, "
            "response_excerpt FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY branch_id, op "
            "ORDER BY id DESC) AS newest FROM attempts WHERE gid = ?1) "
            "WHERE ?2 = 0 OR newest <= ?2 ORDER BY id");
        if (!q.ok())
            return q.status();
        Statement &s = **q;
        s.bind(1, gid).bind(2, int64_t{std::max(attemptLimit, 0)});
        while (s.step()) {
            Branch *b = tx.findBranch(s.text(0));
            Operation *op = b ? b->find(static_cast<OpKind>(s.int64(1))) : nullptr;
            if (!op)
                continue;
            Attempt a;
            a.startedMs = s.int64(2);
            a.endedMs = s.int64(3);
            a.outcome = static_cast<AttemptOutcome>(s.int64(4));
            a.statusCode = static_cast<int>(s.int64(5));
            a.error = s.text(6);
            a.responseExcerpt = s.text(7);
            op->attempts.push_back(std::move(a));
        }
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
    auto statuses = [&] {
        int64_t mask = 0;
        for (TxStatus s : query.statuses)
            mask |= int64_t{1} << int(s);
        return mask;
    }();
    auto types = [&] {
        int64_t mask = 0;
        for (TxType t : query.types)
            mask |= int64_t{1} << int(t);
        return mask;
    }();
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
    const int limit = std::clamp(query.limit <= 0 ? 100 : query.limit, 1, 10000);
    Statement &s = **q;
    s.bind(1, query.cursor).bind(2, statuses).bind(3, types).bind(4, query.createdAfterMs);
    s.bind(5, query.createdBeforeMs).bind(6, int64_t{query.stuckOnly});
    s.bind(7, query.text.empty() ? std::string() : likePattern(query.text));
    s.bind(8, int64_t{limit});
    ListPage page;
    int64_t lastId = 0;
    while (s.step()) {
        page.transactions.push_back(readSummary(s));
        lastId = s.int64(16);
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
        "SELECT e.seq, e.at_ms, e.kind, e.branch_id, e.op, e.op_status, e.outcome, "
        "e.status_code, e.message, ",
        kSummaryColumns,
        " FROM events e JOIN transactions t ON t.gid = e.gid WHERE e.seq > ?1 ORDER BY e.seq "
        "LIMIT ?2"));
    if (!q.ok())
        return q.status();
    Statement &s = **q;
    s.bind(1, seq).bind(2, int64_t{std::clamp(limit, 1, 10000)});
    std::vector<Event> events;
    while (s.step()) {
        Event e;
        e.seq = s.int64(0);
        e.atMs = s.int64(1);
        e.kind = static_cast<EventKind>(s.int64(2));
        e.branchId = s.text(3);
        if (s.int64(4))
            e.op = static_cast<OpKind>(s.int64(4));
        if (s.int64(5))
            e.opStatus = static_cast<OpStatus>(s.int64(5));
        if (s.int64(6)) {
            e.attempt = Attempt{};
            e.attempt->outcome = static_cast<AttemptOutcome>(s.int64(6));
            e.attempt->statusCode = static_cast<int>(s.int64(7));
        }
        e.message = s.text(8);
        e.summary = readSummary(s, 9);
        events.push_back(std::move(e));
    }
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

absl::StatusOr<std::vector<AuditEntry>> SqliteStore::listAudit(const AuditQuery &query)
{
    ReaderLease db(*this);
    if (!db.status().ok())
        return db.status();
    auto q = db->prepare("SELECT id, at_ms, who, role, action, gid, branch_id, reason, "
                         "state_before, state_after, outcome, detail FROM audit WHERE "
                         "(?1 = '' OR gid = ?1) AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3");
    if (!q.ok())
        return q.status();
    Statement &s = **q;
    s.bind(1, query.gid).bind(2, query.beforeId);
    s.bind(3, int64_t{std::clamp(query.limit <= 0 ? 100 : query.limit, 1, 10000)});
    std::vector<AuditEntry> out;
    while (s.step()) {
        AuditEntry a;
        a.id = s.int64(0);
        a.atMs = s.int64(1);
        a.who = s.text(2);
        a.role = s.text(3);
        a.action = s.text(4);
        a.gid = s.text(5);
        a.branchId = s.text(6);
        a.reason = s.text(7);
        a.stateBefore = s.text(8);
        a.stateAfter = s.text(9);
        a.outcome = s.text(10);
        a.detail = s.text(11);
        out.push_back(std::move(a));
    }
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

absl::Status SqliteStore::applyOne(TxWrite &w, WriteResult &result)
{
    Connection &db = *m_writer;
    int64_t seq = m_lastSeq;
    for (Event &e : w.events) {
        e.seq = ++seq;
        if (e.summary.gid.empty())
            e.summary.gid = w.gid;
    }
    const int64_t writeLastSeq = w.events.empty() ? 0 : w.events.back().seq;
    if (w.insert) {
        w.insert->summary.lastSeq = std::max(w.insert->summary.lastSeq, writeLastSeq);
        if (auto s = insertTransaction(db, *w.insert); !s.ok())
            return s;
    }
    if (w.summary) {
        if (auto s = updateSummary(db, w, writeLastSeq); !s.ok())
            return s;
    } else if (!w.insert && (w.expectStatus || !w.expectOwner.empty())) {
        return absl::InvalidArgumentError("a guarded write must carry a summary");
    }
    if (!w.addBranches.empty()) {
        auto count = db.prepare("SELECT COUNT(*) FROM branches WHERE gid = ?1");
        if (!count.ok())
            return count.status();
        (*count)->bind(1, w.gid);
        int index = (*count)->step() ? static_cast<int>((*count)->int64(0)) : 0;
        (*count)->reset();
        for (const Branch &b : w.addBranches)
            if (auto s = insertBranch(db, w.gid, index++, b); !s.ok())
                return s;
    }
    for (const OpWrite &o : w.ops) {
        auto up = db.prepare("UPDATE operations SET status = ?1, attempt_count = ?2 WHERE gid = ?3 "
                             "AND branch_id = ?4 AND op = ?5");
        if (!up.ok())
            return up.status();
        (*up)->bind(1, int64_t(o.status)).bind(2, int64_t{o.attemptCount}).bind(3, w.gid);
        (*up)->bind(4, o.branchId).bind(5, int64_t(o.op));
        if (auto s = (*up)->run(); !s.ok())
            return s;
        if (db.changes() == 0)
            return absl::NotFoundError(absl::StrCat("no operation ", o.branchId, "/",
                                                    toString(o.op), " in ", w.gid));
    }
    for (const AttemptWrite &a : w.attempts) {
        auto ins = db.prepare("INSERT INTO attempts(gid, branch_id, op, started_ms, ended_ms, "
                              "outcome, status_code, error, response_excerpt) VALUES (?1, ?2, "
                              "?3, ?4, ?5, ?6, ?7, ?8, ?9)");
        if (!ins.ok())
            return ins.status();
        Statement &s = **ins;
        s.bind(1, w.gid).bind(2, a.branchId).bind(3, int64_t(a.op)).bind(4, a.attempt.startedMs);
        s.bind(5, a.attempt.endedMs).bind(6, int64_t(a.attempt.outcome));
        s.bind(7, int64_t{a.attempt.statusCode}).bind(8, a.attempt.error);
        s.bind(9, a.attempt.responseExcerpt);
        if (auto st = s.run(); !st.ok())
            return st;
    }
    if (!w.summary && !w.insert && writeLastSeq > 0) {
        auto up = db.prepare("UPDATE transactions SET last_seq = MAX(last_seq, ?1) WHERE gid = ?2");
        if (!up.ok())
            return up.status();
        (*up)->bind(1, writeLastSeq).bind(2, w.gid);
        if (auto s = (*up)->run(); !s.ok())
            return s;
    }
    for (const Event &e : w.events)
        if (auto s = writeEvent(db, e); !s.ok())
            return s;
    for (const AuditEntry &a : w.audit)
        if (auto s = writeAudit(db, a); !s.ok())
            return s;
    m_lastSeq = seq;
    result.events = w.events;
    for (Event &e : result.events) {
        if (w.summary)
            e.summary.lastSeq = std::max(e.summary.lastSeq, writeLastSeq);
    }
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
    for (size_t i = 0; i < writes.size(); ++i) {
        if (auto s = db.run("SAVEPOINT w"); !s.ok()) {
            db.run("ROLLBACK").IgnoreError();
            m_lastSeq = seqBefore;
            return failAll(s);
        }
        const int64_t seqAtWrite = m_lastSeq;
        results[i].status = applyOne(writes[i], results[i]);
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
