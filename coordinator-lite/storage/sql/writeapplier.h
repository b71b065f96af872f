#pragma once

#include "storage/sql/storerows.h"
#include "storage/store.h"

#include <algorithm>
#include <span>
#include <vector>

// How one TxWrite is applied, the same for every SQL store. `Db` speaks the store's dialect:
//   absl::Status insert(table, columns, bind)   bind(out) binds the values (see storerows.h)
//   absl::Status updateSummary(const TxWrite &, int64_t lastSeq)   guardFailed() when no row
//   absl::StatusOr<int> branchCount(const std::string &gid)
//   absl::Status updateOperation(const std::string &gid, const OpWrite &)   NotFound when no row
//   absl::Status raiseLastSeq(const std::string &gid, int64_t seq)
// The caller applies a commit's writes as one batch (applyBatch) and, when that fails, rolls it
// back and applies them again one by one (applyWrite), each in a savepoint of its own.
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

// New transactions with their branches and operations, each table in as few statements as the
// rows take (their flows were checked: branch ids are unique within each).
template <class Db>
absl::Status insertTransactions(Db &db, const std::vector<const domain::Transaction *> &txs)
{
    if (txs.empty())
        return absl::OkStatus();
    auto s =
        insertRows(db, "transactions", kTransactionInsertColumns, txs,
                   [](auto &out, const domain::Transaction *tx) { bindTransaction(out, *tx); });
    if (isUniqueViolation(s))
        return duplicateTransaction(txs.size() == 1 ? txs.front()->summary.gid
                                                    : "(one of the batch's)");
    if (!s.ok())
        return s;
    struct BranchRow {
        const std::string *gid;
        int index;
        const domain::Branch *branch;
    };
    std::vector<BranchRow> branches;
    std::vector<std::pair<const BranchRow *, const domain::Operation *>> ops;
    for (const domain::Transaction *tx : txs)
        for (size_t i = 0; i < tx->branches.size(); ++i)
            branches.push_back({&tx->summary.gid, static_cast<int>(i), &tx->branches[i]});
    for (const BranchRow &b : branches)
        for (const domain::Operation &op : b.branch->ops)
            ops.emplace_back(&b, &op);
    s = insertRows(
        db, "branches", kBranchInsertColumns, branches,
        [](auto &out, const BranchRow &b) { bindBranch(out, *b.gid, b.index, *b.branch); });
    if (isUniqueViolation(s))
        return duplicateBranch(txs.size() == 1 ? txs.front()->summary.gid : "(one of the batch's)",
                               "(one of the flow's)");
    if (!s.ok())
        return s;
    return insertRows(db, "operations", kOperationInsertColumns, ops, [](auto &out, auto o) {
        bindOperation(out, *o.first->gid, o.first->branch->id, *o.second);
    });
}

// The rows of a batch whose events are numbered: see applyBatch.
template <class Db>
absl::Status applyBatchRows(Db &db, std::span<TxWrite> writes,
                            const std::vector<const domain::Transaction *> &inserted)
{
    if (auto s = insertTransactions(db, inserted); !s.ok())
        return s;
    std::vector<std::pair<const std::string *, const AttemptWrite *>> attempts;
    std::vector<const domain::Event *> events;
    for (TxWrite &w : writes) {
        const int64_t writeLastSeq = w.events.empty() ? 0 : w.events.back().seq;
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
        if (!w.summary && !w.insert && writeLastSeq > 0)
            if (auto s = db.raiseLastSeq(w.gid, writeLastSeq); !s.ok())
                return s;
        for (const domain::AuditEntry &a : w.audit)
            if (auto s = db.insert("audit", kAuditInsertColumns,
                                   [&](auto &out) { bindAudit(out, a); });
                !s.ok())
                return s;
        for (const AttemptWrite &a : w.attempts)
            attempts.emplace_back(&w.gid, &a);
        for (const domain::Event &e : w.events)
            events.push_back(&e);
    }
    if (auto s = insertRows(db, "attempts", kAttemptInsertColumns, attempts,
                            [](auto &out, auto a) { bindAttempt(out, *a.first, *a.second); });
        !s.ok())
        return s;
    return insertRows(db, "events", kEventInsertColumns, events,
                      [](auto &out, const domain::Event *e) { bindEvent(out, *e); });
}

// Applies `writes` in one go, their events numbered from lastSeq + 1 in write order; on success
// each result holds its write's events. New transactions' rows go in first, each table in as few
// statements as it takes, then each write's updates in order, then every write's attempts and
// events: a write never touches a gid that a later write of the batch inserts, so this is the
// order's outcome. On failure the caller rolls the batch back; applied one write at a time
// (applyWrite), it names the write that failed.
template <class Db>
absl::Status applyBatch(Db &db, std::span<TxWrite> writes, int64_t lastSeq,
                        std::span<WriteResult> results)
{
    int64_t seq = lastSeq;
    std::vector<const domain::Transaction *> inserted;
    std::vector<int64_t> insertedLastSeq;  // as given: put back if the batch fails
    for (TxWrite &w : writes) {
        for (domain::Event &e : w.events) {
            e.seq = ++seq;
            if (e.summary.gid.empty())
                e.summary.gid = w.gid;
        }
        if (w.insert) {
            const int64_t writeLastSeq = w.events.empty() ? 0 : w.events.back().seq;
            insertedLastSeq.push_back(w.insert->summary.lastSeq);
            w.insert->summary.lastSeq = std::max(w.insert->summary.lastSeq, writeLastSeq);
            inserted.push_back(&*w.insert);
        }
    }
    if (auto s = applyBatchRows(db, writes, inserted); !s.ok()) {
        size_t i = 0;
        for (TxWrite &w : writes)
            if (w.insert)
                w.insert->summary.lastSeq = insertedLastSeq[i++];
        return s;
    }
    for (size_t i = 0; i < writes.size(); ++i) {
        const TxWrite &w = writes[i];
        results[i].events = w.events;
        const int64_t writeLastSeq = w.events.empty() ? 0 : w.events.back().seq;
        if (w.summary)
            for (domain::Event &e : results[i].events)
                e.summary.lastSeq = std::max(e.summary.lastSeq, writeLastSeq);
    }
    return absl::OkStatus();
}

// Applies `w` with its events numbered from lastSeq + 1; on success result.events holds them.
template <class Db>
absl::Status applyWrite(Db &db, TxWrite &w, int64_t lastSeq, WriteResult &result)
{
    return applyBatch(db, std::span<TxWrite>(&w, 1), lastSeq, std::span<WriteResult>(&result, 1));
}

}  // namespace coord::storage::rows
