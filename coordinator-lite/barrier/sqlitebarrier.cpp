#include "sqlitebarrier.h"

#include "storage/sqlite/sqlite.h"

namespace coord::barrier {

using storage::sqlite::Connection;

absl::Status SqliteBarrier::createTable(Connection &db)
{
    return db.exec(
        "CREATE TABLE IF NOT EXISTS barrier (trans_type TEXT NOT NULL, gid TEXT NOT NULL, "
        "branch_id TEXT NOT NULL, op TEXT NOT NULL, barrier_id TEXT NOT NULL DEFAULT '01', "
        "reason TEXT NOT NULL, created_ms INTEGER NOT NULL DEFAULT (unixepoch() * 1000), "
        "PRIMARY KEY (gid, branch_id, op, barrier_id))");
}

SqliteBarrier::Outcome SqliteBarrier::call(
    Connection &db, const BarrierKey &key,
    const std::function<absl::Status(Connection &)> &business)
{
    Outcome outcome;
    if (auto s = db.exec("BEGIN IMMEDIATE"); !s.ok()) {
        outcome.business = s;
        return outcome;
    }
    absl::Status barrierError;
    outcome.verdict = decide(
        key, [&](const std::string &op, const std::string &reason) -> std::optional<std::string> {
            auto ins = db.prepare("INSERT OR IGNORE INTO barrier (trans_type, gid, branch_id, op, "
                                  "reason) VALUES (?1, ?2, ?3, ?4, ?5)");
            if (!ins.ok()) {
                barrierError = ins.status();
                return std::nullopt;
            }
            (*ins)->bind(1, key.transType).bind(2, key.gid).bind(3, key.branchId).bind(4, op);
            (*ins)->bind(5, reason);
            if (auto s = (*ins)->run(); !s.ok())
                barrierError = s;
            if (db.changes() > 0)
                return std::nullopt;
            auto sel = db.prepare("SELECT reason FROM barrier WHERE gid = ?1 AND branch_id = ?2 "
                                  "AND op = ?3 AND barrier_id = '01'");
            if (!sel.ok()) {
                barrierError = sel.status();
                return std::string();
            }
            (*sel)->bind(1, key.gid).bind(2, key.branchId).bind(3, op);
            std::string existing = (*sel)->step() ? (*sel)->text(0) : std::string();
            (*sel)->reset();
            return existing;
        });
    if (!barrierError.ok()) {
        db.exec("ROLLBACK").IgnoreError();
        outcome.business = barrierError;
        return outcome;
    }
    if (outcome.verdict == Verdict::Execute) {
        outcome.business = business(db);
        if (!outcome.business.ok()) {
            db.exec("ROLLBACK").IgnoreError();
            return outcome;
        }
    }
    if (auto s = db.exec("COMMIT"); !s.ok()) {
        db.exec("ROLLBACK").IgnoreError();
        outcome.business = s;
    }
    return outcome;
}

}  // namespace coord::barrier
