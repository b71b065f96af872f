#pragma once

#include "storage/sql/storerows.h"
#include "storage/store.h"

#include <algorithm>

// How one TxWrite is applied, the same for every SQL store. `Db` speaks the store's dialect:
//   absl::Status insert(table, columns, bind)   bind(out) binds the values (see storerows.h)
//   absl::Status updateSummary(const TxWrite &, int64_t lastSeq)   guardFailed() when no row
//   absl::StatusOr<int> branchCount(const std::string &gid)
//   absl::Status updateOperation(const std::string &gid, const OpWrite &)   NotFound when no row
//   absl::Status raiseLastSeq(const std::string &gid, int64_t seq)
// The caller wraps each write in a savepoint and rolls it back when this fails.
namespace coord::storage::rows {

// Inserts one row per item into `table`, kRowsPerInsert rows per statement.
template <class Db, class Items, class BindOne>
absl::Status insertRows(Db &db, std::string_view table, std::string_view columns,
                        const Items &items, BindOne bindOne)
{
    for (size_t at = 0; at < items.size(); at += kRowsPerInsert) {
        const size_t n = std::min(kRowsPerInsert, items.size() - at);
        auto bind = [&](auto &out) {
            for (size_t i = at; i < at + n; ++i)
                bindOne(out, items[i]);
        };
        if (auto s = db.insert(table, columns, bind, static_cast<int>(n)); !s.ok())
            return s;
    }
    return absl::OkStatus();
}

// A branch added to a transaction (client-driven TCC registers one at a time), with its
// operations; a taken branch id is named.
template <class Db>
absl::Status insertBranch(Db &db, const std::string &gid, int index, const domain::Branch &b)
{
    auto s = db.insert("branches", kBranchInsertColumns,
                       [&](auto &out) { bindBranch(out, gid, index, b); });
    if (isUniqueViolation(s))
        return duplicateBranch(gid, b.id);
    if (!s.ok())
        return s;
    return insertRows(
        db, "operations", kOperationInsertColumns, b.ops,
        [&](auto &out, const domain::Operation &op) { bindOperation(out, gid, b.id, op); });
}

template <class Db>
absl::Status insertTransaction(Db &db, const domain::Transaction &tx)
{
    auto s = db.insert("transactions", kTransactionInsertColumns,
                       [&](auto &out) { bindTransaction(out, tx); });
    if (isUniqueViolation(s))
        return duplicateTransaction(tx.summary.gid);
    if (!s.ok())
        return s;
    // A new transaction's branches and operations, each table in one statement (its flow was
    // checked: branch ids are unique).
    const std::string &gid = tx.summary.gid;
    std::vector<int> indexes(tx.branches.size());
    for (size_t i = 0; i < indexes.size(); ++i)
        indexes[i] = static_cast<int>(i);
    s = insertRows(db, "branches", kBranchInsertColumns, indexes,
                   [&](auto &out, int i) { bindBranch(out, gid, i, tx.branches[i]); });
    if (isUniqueViolation(s))
        return duplicateBranch(gid, "(one of the flow's)");
    if (!s.ok())
        return s;
    std::vector<std::pair<const std::string *, const domain::Operation *>> ops;
    for (const domain::Branch &b : tx.branches)
        for (const domain::Operation &op : b.ops)
            ops.emplace_back(&b.id, &op);
    return insertRows(db, "operations", kOperationInsertColumns, ops,
                      [&](auto &out, auto o) { bindOperation(out, gid, *o.first, *o.second); });
}

// Applies `w` with its events numbered from lastSeq + 1; on success result.events holds them.
template <class Db>
absl::Status applyWrite(Db &db, TxWrite &w, int64_t lastSeq, WriteResult &result)
{
    int64_t seq = lastSeq;
    for (domain::Event &e : w.events) {
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
        if (auto s = db.updateSummary(w, writeLastSeq); !s.ok())
            return s;
    } else if (!w.insert && (w.expectStatus || !w.expectOwner.empty())) {
        return unguardedWrite();
    }
    if (!w.addBranches.empty()) {
        auto count = db.branchCount(w.gid);
        if (!count.ok())
            return count.status();
        int index = *count;
        for (const domain::Branch &b : w.addBranches)
            if (auto s = insertBranch(db, w.gid, index++, b); !s.ok())
                return s;
    }
    for (const OpWrite &o : w.ops)
        if (auto s = db.updateOperation(w.gid, o); !s.ok())
            return s;
    if (auto s = insertRows(db, "attempts", kAttemptInsertColumns, w.attempts,
                            [&](auto &out, const AttemptWrite &a) { bindAttempt(out, w.gid, a); });
        !s.ok())
        return s;
    if (!w.summary && !w.insert && writeLastSeq > 0)
        if (auto s = db.raiseLastSeq(w.gid, writeLastSeq); !s.ok())
            return s;
    if (auto s = insertRows(db, "events", kEventInsertColumns, w.events,
                            [](auto &out, const domain::Event &e) { bindEvent(out, e); });
        !s.ok())
        return s;
    for (const domain::AuditEntry &a : w.audit)
        if (auto s = db.insert("audit", kAuditInsertColumns, [&](auto &out) { bindAudit(out, a); });
            !s.ok())
            return s;
    result.events = w.events;
    if (w.summary)
        for (domain::Event &e : result.events)
            e.summary.lastSeq = std::max(e.summary.lastSeq, writeLastSeq);
    return absl::OkStatus();
}

}  // namespace coord::storage::rows
