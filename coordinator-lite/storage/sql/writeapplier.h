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

template <class Db>
absl::Status insertBranch(Db &db, const std::string &gid, int index, const domain::Branch &b)
{
    auto s = db.insert("branches", kBranchInsertColumns,
                       [&](auto &out) { bindBranch(out, gid, index, b); });
    if (isUniqueViolation(s))
        return duplicateBranch(gid, b.id);
    for (const domain::Operation &op : b.ops) {
        if (!s.ok())
            return s;
        s = db.insert("operations", kOperationInsertColumns,
                      [&](auto &out) { bindOperation(out, gid, b.id, op); });
    }
    return s;
}

template <class Db>
absl::Status insertTransaction(Db &db, const domain::Transaction &tx)
{
    auto s = db.insert("transactions", kTransactionInsertColumns,
                       [&](auto &out) { bindTransaction(out, tx); });
    if (isUniqueViolation(s))
        return duplicateTransaction(tx.summary.gid);
    for (size_t i = 0; i < tx.branches.size() && s.ok(); ++i)
        s = insertBranch(db, tx.summary.gid, static_cast<int>(i), tx.branches[i]);
    return s;
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
    for (const AttemptWrite &a : w.attempts)
        if (auto s = db.insert("attempts", kAttemptInsertColumns,
                               [&](auto &out) { bindAttempt(out, w.gid, a); });
            !s.ok())
            return s;
    if (!w.summary && !w.insert && writeLastSeq > 0)
        if (auto s = db.raiseLastSeq(w.gid, writeLastSeq); !s.ok())
            return s;
    for (const domain::Event &e : w.events)
        if (auto s = db.insert("events", kEventInsertColumns,
                               [&](auto &out) { bindEvent(out, e); });
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
