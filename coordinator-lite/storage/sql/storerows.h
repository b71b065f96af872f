#pragma once

#include "domain/operator.h"
#include "domain/types.h"
#include "storage/store.h"

#include <absl/status/status.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// What the SQL stores share: decoding rows into domain values (any row type with int64(column)
// and text(column): a SQLite statement, a libpq row), filter parameters and error messages. Each
// store keeps its own SQL, but selects the columns in the order these readers expect.
namespace coord::storage::rows {

// Summary columns read from `transactions t`, in this order (both dialects accept this text):
constexpr const char *kSummaryColumns =
    "t.gid, t.type, t.status, t.business_key, t.flow_name, t.created_ms, t.updated_ms, "
    "t.finished_ms, t.next_retry_ms, t.rollback_reason, t.retry_paused, t.stuck_reason, "
    "t.owner, t.lease_expires_ms, t.last_seq, "
    "(SELECT COUNT(*) FROM branches b WHERE b.gid = t.gid), t.id, t.origin, t.retry_attempts";
constexpr int kSummaryIdColumn = 16;
constexpr int kSummaryColumnCount = 19;
// What a whole transaction adds to its summary, read by readDetail after kSummaryColumns.
constexpr const char *kDetailColumns =
    "t.timeout_to_fail_ms, t.retry_interval_ms, t.request_timeout_ms, t.max_retries, "
    "t.wait_result, t.flow_json, t.client_driven, t.branch_headers";
// Event columns of `events e`, followed by kSummaryColumns.
constexpr const char *kEventColumns =
    "e.seq, e.at_ms, e.kind, e.branch_id, e.op, e.op_status, e.outcome, e.status_code, e.message";
constexpr int kEventSummaryColumn = 9;
constexpr const char *kAuditColumns =
    "id, at_ms, who, role, action, gid, branch_id, reason, state_before, state_after, outcome, "
    "detail";
constexpr const char *kBranchColumns =
    "branch_id, name, after, not_rollbackable, payload, request_timeout_ms, max_retries";
constexpr const char *kOperationColumns = "branch_id, op, endpoint, status, attempt_count";
constexpr const char *kAttemptColumns =
    "branch_id, op, started_ms, ended_ms, outcome, status_code, error, response_excerpt";

template <class Row>
domain::TxSummary readSummary(const Row &s, int first = 0)
{
    using namespace domain;
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
    t.origin = static_cast<TxOrigin>(i64(17));
    t.retryAttempts = static_cast<int>(i64(18));
    return t;
}

// Branch headers are stored as "name: value" lines (neither may hold a line break).
std::string encodeHeaders(const std::map<std::string, std::string> &headers);
std::map<std::string, std::string> decodeHeaders(std::string_view text);

// A transaction row selected as kSummaryColumns, kDetailColumns.
template <class Row>
void readDetail(const Row &s, domain::Transaction &tx)
{
    tx.summary = readSummary(s);
    constexpr int c = kSummaryColumnCount;
    tx.options.timeoutToFailMs = s.int64(c);
    tx.options.retryIntervalMs = s.int64(c + 1);
    tx.options.requestTimeoutMs = s.int64(c + 2);
    tx.options.maxRetries = static_cast<int>(s.int64(c + 3));
    tx.options.waitResult = s.int64(c + 4) != 0;
    tx.flowJson = s.text(c + 5);
    tx.clientDriven = s.int64(c + 6) != 0;
    tx.options.branchHeaders = decodeHeaders(s.text(c + 7));
}

template <class Row>
domain::Event readEvent(const Row &s)
{
    using namespace domain;
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
    e.summary = readSummary(s, kEventSummaryColumn);
    return e;
}

template <class Row>
domain::AuditEntry readAudit(const Row &s)
{
    domain::AuditEntry a;
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
    return a;
}

template <class Row>
domain::Branch readBranch(const Row &s)
{
    domain::Branch b;
    b.id = s.text(0);
    b.name = s.text(1);
    std::string after = s.text(2);
    if (!after.empty())
        b.after = absl::StrSplit(after, ',');
    b.notRollbackable = s.int64(3) != 0;
    b.payload = s.text(4);
    b.requestTimeoutMs = s.int64(5);
    b.maxRetries = static_cast<int>(s.int64(6));
    return b;
}

// Adds an operation row to its branch in `tx` (rows of unknown branches are ignored).
template <class Row>
void addOperation(domain::Transaction &tx, const Row &s)
{
    domain::Branch *b = tx.findBranch(s.text(0));
    if (!b)
        return;
    domain::Operation op;
    op.op = static_cast<domain::OpKind>(s.int64(1));
    op.endpoint = s.text(2);
    op.status = static_cast<domain::OpStatus>(s.int64(3));
    op.attemptCount = static_cast<int>(s.int64(4));
    b->ops.push_back(std::move(op));
}

// Adds an attempt row to its operation in `tx`.
template <class Row>
void addAttempt(domain::Transaction &tx, const Row &s)
{
    domain::Branch *b = tx.findBranch(s.text(0));
    domain::Operation *op = b ? b->find(static_cast<domain::OpKind>(s.int64(1))) : nullptr;
    if (!op)
        return;
    domain::Attempt a;
    a.startedMs = s.int64(2);
    a.endedMs = s.int64(3);
    a.outcome = static_cast<domain::AttemptOutcome>(s.int64(4));
    a.statusCode = static_cast<int>(s.int64(5));
    a.error = s.text(6);
    a.responseExcerpt = s.text(7);
    op->attempts.push_back(std::move(a));
}

// Inserts: the column list of each table and the values in that order, bound through any `out`
// with add(int64_t), add(std::string_view) and addBytes(std::string_view) (a SQLite statement,
// libpq parameters). Bytes are participant text that need not be valid UTF-8.
enum class Dialect { Sqlite, Postgres };
// "INSERT INTO table(columns) VALUES (?1, …)" for SQLite, "… ($1, …)" for PostgreSQL.
// "INSERT … VALUES (…), (…)" for `rows` rows, parameters numbered on from one row to the next.
// Built once per shape and thread (a store inserts a handful of shapes, on every write).
const std::string &insertSql(Dialect dialect, std::string_view table, std::string_view columns,
                             int rows = 1);
// The most rows one INSERT carries: a statement costs about as much as a few rows, so a write's
// rows of one table go in as few statements as this allows (and as few distinct shapes).
constexpr size_t kRowsPerInsert = 16;

constexpr const char *kTransactionInsertColumns =
    "gid, type, status, business_key, flow_name, created_ms, updated_ms, finished_ms, "
    "next_retry_ms, rollback_reason, retry_paused, stuck_reason, owner, lease_expires_ms, "
    "last_seq, timeout_to_fail_ms, retry_interval_ms, request_timeout_ms, max_retries, "
    "wait_result, flow_json, client_driven, origin, branch_headers, retry_attempts";
template <class Out>
void bindTransaction(Out &out, const domain::Transaction &tx)
{
    const domain::TxSummary &t = tx.summary;
    out.add(t.gid).add(int64_t(t.type)).add(int64_t(t.status)).add(t.businessKey);
    out.add(t.flowName).add(t.createdMs).add(t.updatedMs).add(t.finishedMs);
    out.add(t.nextRetryMs).addBytes(t.rollbackReason).add(int64_t{t.retryPaused});
    out.add(t.stuckReason).add(t.owner).add(t.leaseExpiresMs).add(t.lastSeq);
    out.add(tx.options.timeoutToFailMs).add(tx.options.retryIntervalMs);
    out.add(tx.options.requestTimeoutMs).add(int64_t{tx.options.maxRetries});
    out.add(int64_t{tx.options.waitResult}).add(tx.flowJson).add(int64_t{tx.clientDriven});
    out.add(int64_t(t.origin)).add(encodeHeaders(tx.options.branchHeaders));
    out.add(int64_t{t.retryAttempts});
}

constexpr const char *kBranchInsertColumns =
    "gid, idx, branch_id, name, after, not_rollbackable, payload, request_timeout_ms, max_retries";
template <class Out>
void bindBranch(Out &out, const std::string &gid, int index, const domain::Branch &b)
{
    out.add(gid).add(int64_t{index}).add(b.id).add(b.name);
    out.add(absl::StrJoin(b.after, ",")).add(int64_t{b.notRollbackable});
    out.addBytes(b.payload).add(b.requestTimeoutMs).add(int64_t{b.maxRetries});
}

constexpr const char *kOperationInsertColumns =
    "gid, branch_id, op, endpoint, status, attempt_count";
template <class Out>
void bindOperation(Out &out, const std::string &gid, const std::string &branchId,
                   const domain::Operation &op)
{
    out.add(gid).add(branchId).add(int64_t(op.op)).add(op.endpoint);
    out.add(int64_t(op.status)).add(int64_t{op.attemptCount});
}

constexpr const char *kAttemptInsertColumns =
    "gid, branch_id, op, started_ms, ended_ms, outcome, status_code, error, response_excerpt";
template <class Out>
void bindAttempt(Out &out, const std::string &gid, const AttemptWrite &a)
{
    out.add(gid).add(a.branchId).add(int64_t(a.op)).add(a.attempt.startedMs);
    out.add(a.attempt.endedMs).add(int64_t(a.attempt.outcome));
    out.add(int64_t{a.attempt.statusCode}).addBytes(a.attempt.error);
    out.addBytes(a.attempt.responseExcerpt);
}

constexpr const char *kEventInsertColumns =
    "seq, gid, at_ms, kind, branch_id, op, op_status, outcome, status_code, message";
template <class Out>
void bindEvent(Out &out, const domain::Event &e)
{
    out.add(e.seq).add(e.summary.gid).add(e.atMs).add(int64_t(e.kind));
    out.add(e.branchId).add(e.op ? int64_t(*e.op) : 0);
    out.add(e.opStatus ? int64_t(*e.opStatus) : 0);
    out.add(e.attempt ? int64_t(e.attempt->outcome) : 0);
    out.add(e.attempt ? int64_t{e.attempt->statusCode} : 0).addBytes(e.message);
}

constexpr const char *kAuditInsertColumns =
    "at_ms, who, role, action, gid, branch_id, reason, state_before, state_after, outcome, detail";
template <class Out>
void bindAudit(Out &out, const domain::AuditEntry &a)
{
    out.add(a.atMs).add(a.who).add(a.role).add(a.action).add(a.gid);
    out.add(a.branchId).add(a.reason).add(a.stateBefore).add(a.stateAfter);
    out.add(a.outcome).addBytes(a.detail);
}

// The guarded summary update, parameters 1..15 of each store's UPDATE statement: the new
// values (1-12), the gid (13), the expected status or 0 (14) and the expected owner or "" (15).
template <class Out>
void bindSummaryUpdate(Out &out, const TxWrite &w, int64_t lastSeq)
{
    const domain::TxSummary &t = *w.summary;
    out.add(int64_t(t.status)).add(t.updatedMs).add(t.finishedMs).add(t.nextRetryMs);
    out.addBytes(t.rollbackReason).add(int64_t{t.retryPaused}).add(t.stuckReason);
    out.add(t.owner).add(t.leaseExpiresMs).add(lastSeq).add(t.businessKey);
    out.add(int64_t{t.retryAttempts});
    out.add(w.gid).add(w.expectStatus ? int64_t(*w.expectStatus) : 0).add(w.expectOwner);
}

// `text` as a LIKE pattern matching it anywhere, with % _ \ escaped (ESCAPE '\').
std::string likePattern(std::string_view text);
int64_t statusMask(const domain::ListQuery &query);  // bit n set: status n wanted; 0 = any
int64_t typeMask(const domain::ListQuery &query);
int listLimit(int requested);  // page size: default 100, within 1..10000

// Errors both stores give, worded the same.
absl::Status guardFailed(const std::string &gid, const std::optional<domain::TxStatus> &status,
                         const std::string &owner);
absl::Status duplicateTransaction(const std::string &gid);
// A driver's unique-key violation. Internal, so no caller ever reads a storage fault as a business
// answer: applyWrite turns the expected ones (a gid or branch id taken) into AlreadyExists.
absl::Status uniqueViolation(const std::string &message);
bool isUniqueViolation(const absl::Status &status);
absl::Status duplicateBranch(const std::string &gid, const std::string &branchId);
absl::Status unknownGid(const std::string &gid);
absl::Status unknownOperation(const std::string &gid, const std::string &branchId,
                              domain::OpKind op);
absl::Status claimRefused(const std::string &gid, domain::TxStatus status,
                          const std::string &holder, int64_t until);
absl::Status unguardedWrite();

}  // namespace coord::storage::rows
