#include "pgschema.h"

#include <absl/strings/str_cat.h>

#include <array>

namespace coord::storage::pg {
namespace {

// Any fixed key: the advisory lock that serialises migrations of one database.
constexpr int64_t kMigrationLock = 0x74786465736b;  // "txdesk"

// Append only: a released migration is never edited, a new one is added at the end. Text that
// participants produce (payloads, errors, response excerpts, event messages) is bytea: it need
// not be valid UTF-8.
constexpr std::array kMigrations = {
    // 1: transactions, branches, operations, attempts, events, the event counter, audit
    R"sql(
CREATE TABLE transactions (
  id BIGSERIAL PRIMARY KEY,
  gid TEXT NOT NULL UNIQUE,
  type INTEGER NOT NULL,
  status INTEGER NOT NULL,
  business_key TEXT NOT NULL DEFAULT '',
  flow_name TEXT NOT NULL DEFAULT '',
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  finished_ms BIGINT NOT NULL DEFAULT 0,
  next_retry_ms BIGINT NOT NULL DEFAULT 0,
  rollback_reason BYTEA NOT NULL DEFAULT '',
  retry_paused INTEGER NOT NULL DEFAULT 0,
  stuck_reason TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL DEFAULT '',
  lease_expires_ms BIGINT NOT NULL DEFAULT 0,
  last_seq BIGINT NOT NULL DEFAULT 0,
  timeout_to_fail_ms BIGINT NOT NULL DEFAULT 0,
  retry_interval_ms BIGINT NOT NULL DEFAULT 1000,
  request_timeout_ms BIGINT NOT NULL DEFAULT 3000,
  max_retries INTEGER NOT NULL DEFAULT 0,
  wait_result INTEGER NOT NULL DEFAULT 1,
  client_driven INTEGER NOT NULL DEFAULT 0,
  flow_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX transactions_due ON transactions(next_retry_ms) WHERE status IN (1, 2, 3);
CREATE INDEX transactions_by_status ON transactions(status, id);
CREATE INDEX transactions_by_owner ON transactions(owner) WHERE status IN (1, 2, 3);
CREATE TABLE branches (
  gid TEXT NOT NULL,
  idx INTEGER NOT NULL,
  branch_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  after TEXT NOT NULL DEFAULT '',
  not_rollbackable INTEGER NOT NULL DEFAULT 0,
  payload BYTEA,
  request_timeout_ms BIGINT NOT NULL DEFAULT 0,
  max_retries INTEGER NOT NULL DEFAULT -1,
  PRIMARY KEY (gid, branch_id)
);
CREATE TABLE operations (
  gid TEXT NOT NULL,
  branch_id TEXT NOT NULL,
  op INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  status INTEGER NOT NULL,
  attempt_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (gid, branch_id, op)
);
CREATE TABLE attempts (
  id BIGSERIAL PRIMARY KEY,
  gid TEXT NOT NULL,
  branch_id TEXT NOT NULL,
  op INTEGER NOT NULL,
  started_ms BIGINT NOT NULL,
  ended_ms BIGINT NOT NULL,
  outcome INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  error BYTEA NOT NULL DEFAULT '',
  response_excerpt BYTEA NOT NULL DEFAULT ''
);
CREATE INDEX attempts_by_gid ON attempts(gid);
CREATE TABLE events (
  seq BIGINT PRIMARY KEY,
  gid TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  kind INTEGER NOT NULL,
  branch_id TEXT NOT NULL DEFAULT '',
  op INTEGER NOT NULL DEFAULT 0,
  op_status INTEGER NOT NULL DEFAULT 0,
  outcome INTEGER NOT NULL DEFAULT 0,
  status_code INTEGER NOT NULL DEFAULT 0,
  message BYTEA NOT NULL DEFAULT ''
);
-- One row: the last event seq handed out. A commit locks it (FOR UPDATE) for its whole
-- transaction, so seqs are gap-free and become visible in commit order across instances.
CREATE TABLE event_counter (last_seq BIGINT NOT NULL);
INSERT INTO event_counter VALUES (0);
CREATE TABLE audit (
  id BIGSERIAL PRIMARY KEY,
  at_ms BIGINT NOT NULL,
  who TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  gid TEXT NOT NULL DEFAULT '',
  branch_id TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  state_before TEXT NOT NULL DEFAULT '',
  state_after TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL,
  detail BYTEA NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_gid ON audit(gid, id);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
)sql",
    // 2: where a transaction came from (DTM's API or ours), headers for every branch call
    R"sql(
ALTER TABLE transactions ADD COLUMN origin BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN branch_headers TEXT NOT NULL DEFAULT '';
)sql",
    // 3: attempts of the operation being retried, for the stuck view
    R"sql(
ALTER TABLE transactions ADD COLUMN retry_attempts BIGINT NOT NULL DEFAULT 0;
)sql",
};

}  // namespace

int latestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

absl::Status migrate(pq::Connection &db)
{
    // All migrations in one transaction (PostgreSQL's DDL is transactional).
    if (auto s = db.exec("BEGIN"); !s.ok())
        return s;
    auto fail = [&](const absl::Status &s, std::string_view step) {
        db.exec("ROLLBACK").IgnoreError();
        return absl::Status(s.code(), absl::StrCat(std::string(step), ": ", s.message()));
    };
    if (auto s = db.query("SELECT pg_advisory_xact_lock($1)", pq::Params().add(kMigrationLock));
        !s.ok())
        return fail(s.status(), "migration lock");
    if (auto s = db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        !s.ok())
        return fail(s, "schema_version");
    auto version = db.query("SELECT version FROM schema_version");
    if (!version.ok())
        return fail(version.status(), "schema_version");
    const int current = version->rows() > 0 ? static_cast<int>(pq::Row(*version, 0).int64(0)) : 0;
    if (current > latestSchemaVersion())
        return fail(absl::FailedPreconditionError(absl::StrCat(
                        "database schema version ", current, " is newer than this coordinator (",
                        latestSchemaVersion(), "); upgrade coordinator-lite")),
                    "schema");
    for (int v = current; v < latestSchemaVersion(); ++v)
        if (auto s = db.exec(kMigrations[v]); !s.ok())
            return fail(s, absl::StrCat("migration ", v + 1));
    if (current < latestSchemaVersion()) {
        auto s = current == 0 ? db.query("INSERT INTO schema_version(version) VALUES ($1::int)",
                                         pq::Params().add(int64_t{latestSchemaVersion()}))
                              : db.query("UPDATE schema_version SET version = $1::int",
                                         pq::Params().add(int64_t{latestSchemaVersion()}));
        if (!s.ok())
            return fail(s.status(), "schema_version");
    }
    return db.exec("COMMIT");
}

}  // namespace coord::storage::pg
