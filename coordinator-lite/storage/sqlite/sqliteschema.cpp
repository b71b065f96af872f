#include "sqliteschema.h"

#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>

#include <array>

namespace coord::storage::sqlite {
namespace {

// Append only: a released migration is never edited, a new one is added at the end.
constexpr std::array kMigrations = {
    // 1: transactions, branches, operations, attempts, events
    R"sql(
CREATE TABLE transactions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  gid TEXT NOT NULL UNIQUE,
  type INTEGER NOT NULL,
  status INTEGER NOT NULL,
  business_key TEXT NOT NULL DEFAULT '',
  flow_name TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  next_retry_ms INTEGER NOT NULL DEFAULT 0,
  rollback_reason TEXT NOT NULL DEFAULT '',
  retry_paused INTEGER NOT NULL DEFAULT 0,
  stuck_reason TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL DEFAULT '',
  lease_expires_ms INTEGER NOT NULL DEFAULT 0,
  last_seq INTEGER NOT NULL DEFAULT 0,
  timeout_to_fail_ms INTEGER NOT NULL DEFAULT 0,
  retry_interval_ms INTEGER NOT NULL DEFAULT 1000,
  request_timeout_ms INTEGER NOT NULL DEFAULT 3000,
  max_retries INTEGER NOT NULL DEFAULT 0,
  wait_result INTEGER NOT NULL DEFAULT 1,
  client_driven INTEGER NOT NULL DEFAULT 0,
  flow_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX transactions_due ON transactions(next_retry_ms) WHERE status IN (1, 2, 3);
CREATE INDEX transactions_by_status ON transactions(status, id);
CREATE TABLE branches (
  gid TEXT NOT NULL,
  idx INTEGER NOT NULL,
  branch_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  after TEXT NOT NULL DEFAULT '',
  not_rollbackable INTEGER NOT NULL DEFAULT 0,
  payload BLOB,
  request_timeout_ms INTEGER NOT NULL DEFAULT 0,
  max_retries INTEGER NOT NULL DEFAULT -1,
  PRIMARY KEY (gid, branch_id)
) WITHOUT ROWID;
CREATE TABLE operations (
  gid TEXT NOT NULL,
  branch_id TEXT NOT NULL,
  op INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  status INTEGER NOT NULL,
  attempt_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (gid, branch_id, op)
) WITHOUT ROWID;
CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  gid TEXT NOT NULL,
  branch_id TEXT NOT NULL,
  op INTEGER NOT NULL,
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  response_excerpt TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attempts_by_gid ON attempts(gid);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  gid TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  branch_id TEXT NOT NULL DEFAULT '',
  op INTEGER NOT NULL DEFAULT 0,
  op_status INTEGER NOT NULL DEFAULT 0,
  outcome INTEGER NOT NULL DEFAULT 0,
  status_code INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT ''
);
)sql",
    // 2: the operators' audit trail (append only)
    R"sql(
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  who TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  gid TEXT NOT NULL DEFAULT '',
  branch_id TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  state_before TEXT NOT NULL DEFAULT '',
  state_after TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_gid ON audit(gid, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql",
    // 3: where a transaction came from (DTM's API or ours), headers for every branch call
    R"sql(
ALTER TABLE transactions ADD COLUMN origin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN branch_headers TEXT NOT NULL DEFAULT '';
)sql",
    // 4: attempts of the operation being retried, for the stuck view
    R"sql(
ALTER TABLE transactions ADD COLUMN retry_attempts INTEGER NOT NULL DEFAULT 0;
)sql",
};

}  // namespace

int latestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

absl::Status migrate(Connection &db)
{
    if (auto s = db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        !s.ok())
        return s;
    auto select = db.prepare("SELECT version FROM schema_version");
    if (!select.ok())
        return select.status();
    int current = (*select)->step() ? static_cast<int>((*select)->int64(0)) : 0;
    (*select)->reset();
    if (current > latestSchemaVersion())
        return absl::FailedPreconditionError(
            absl::StrCat("database schema version ", current, " is newer than this coordinator (",
                         latestSchemaVersion(), "); upgrade coordinator-lite"));
    for (int v = current; v < latestSchemaVersion(); ++v) {
        if (auto s = db.exec("BEGIN IMMEDIATE"); !s.ok())
            return s;
        absl::Status s = db.exec(kMigrations[v]);
        if (s.ok())
            s = db.exec(v == 0 ? "INSERT INTO schema_version(version) VALUES (1)"
                               : "UPDATE schema_version SET version = version + 1");
        if (!s.ok()) {
            db.exec("ROLLBACK").IgnoreError();
            return absl::Status(s.code(), absl::StrCat("migration ", v + 1, ": ", s.message()));
        }
        if (auto c = db.exec("COMMIT"); !c.ok())
            return c;
    }
    return absl::OkStatus();
}

}  // namespace coord::storage::sqlite
