#include "barriertables.h"

#include "barrier/mysqlbarriertable.h"
#include "storage/postgres/pq.h"
#include "storage/sqlite/sqlite.h"

#include <absl/strings/str_replace.h>

#include <mysql.h>

#include <atomic>
#include <cstdlib>
#include <random>

#include <unistd.h>

namespace testsupport {

namespace {

std::string envOr(const char *name)
{
    const char *v = std::getenv(name);
    return v ? v : "";
}

// DTM's own DDL (dtm: sqls/dtmcli.barrier.postgres.sql, .mysql.sql), in schema SCHEMA.
const char *kPostgresDdl =
    "CREATE SCHEMA {schema}; CREATE SEQUENCE {schema}.barrier_seq;"
    "CREATE TABLE {schema}.barrier(id bigint NOT NULL DEFAULT NEXTVAL('{schema}.barrier_seq'),"
    " trans_type varchar(45) default '', gid varchar(128) default '',"
    " branch_id varchar(128) default '', op varchar(45) default '',"
    " barrier_id varchar(45) default '', reason varchar(45) default '',"
    " create_time timestamp(0) with time zone DEFAULT NULL,"
    " update_time timestamp(0) with time zone DEFAULT NULL, PRIMARY KEY(id),"
    " CONSTRAINT uniq_barrier unique(gid, branch_id, op, barrier_id))";
const char *kMysqlDdl[] = {
    "CREATE DATABASE {schema}",
    "CREATE TABLE {schema}.barrier(id bigint(22) PRIMARY KEY AUTO_INCREMENT,"
    " trans_type varchar(45) default '', gid varchar(128) default '',"
    " branch_id varchar(128) default '', op varchar(45) default '',"
    " barrier_id varchar(45) default '',"
    " reason varchar(45) default '' comment 'the branch type who insert this record',"
    " create_time datetime DEFAULT now(), update_time datetime DEFAULT now(),"
    " key(create_time), key(update_time), UNIQUE key(gid, branch_id, op, barrier_id))"};

absl::Status mysqlExec(const std::string &url, const std::string &sql)
{
    auto loc = coord::barrier::parseMysqlUrl(url);
    if (!loc.ok())
        return loc.status();
    MYSQL *db = mysql_init(nullptr);
    absl::Status s;
    if (!mysql_real_connect(db, loc->host.c_str(), loc->user.c_str(), loc->password.c_str(),
                            loc->database.c_str(), loc->port, nullptr, 0)
        || mysql_query(db, sql.c_str()) != 0)
        s = absl::InternalError(std::string(mysql_error(db)) + " in: " + sql);
    mysql_close(db);
    return s;
}

std::string quoted(const std::string &value)
{
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\')
            out += c;  // '' and \\ in both PostgreSQL (standard strings) and MySQL
        out += c;
    }
    return out + "'";
}

}  // namespace

coord::barrier::RecordLookup storeLookup(coord::storage::Store &store)
{
    return [&store](const std::vector<std::string> &gids)
               -> absl::StatusOr<std::map<std::string, coord::domain::Transaction>> {
        std::map<std::string, coord::domain::Transaction> out;
        for (const std::string &gid : gids) {
            auto tx = store.get(gid);
            if (tx.ok())
                out.emplace(gid, std::move(*tx));
            else if (!absl::IsNotFound(tx.status()))
                return tx.status();
        }
        return out;
    };
}

std::string toString(BarrierDb db)
{
    switch (db) {
    case BarrierDb::Sqlite:
        return "SQLite";
    case BarrierDb::Postgres:
        return "PostgreSQL";
    case BarrierDb::Mysql:
        return "MariaDB";
    }
    return "?";
}

BarrierDatabase::BarrierDatabase(BarrierDb kind, std::string bankFile)
    : m_kind(kind), m_bankFile(std::move(bankFile))
{
    static std::atomic<int> counter{0};
    m_schema = "bt" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_"
        + std::to_string(std::random_device{}() % 1000000);
    if (kind == BarrierDb::Sqlite) {
        m_dsn = m_bankFile;
        m_table = "barrier";
        return;
    }
    m_table = m_schema + ".barrier";
    m_admin = envOr(kind == BarrierDb::Postgres ? "TXDESK_TEST_POSTGRES" : "TXDESK_TEST_MYSQL");
    if (m_admin.empty()) {
        m_skip = true;
        m_error = kind == BarrierDb::Postgres
            ? "TXDESK_TEST_POSTGRES is not set (run ctest under scripts/with-postgres)"
            : "TXDESK_TEST_MYSQL is not set (run ctest under scripts/with-mariadb)";
        return;
    }
    m_dsn = m_admin;
    absl::Status s;
    if (kind == BarrierDb::Postgres) {
        auto db = coord::storage::pq::Connection::open(m_admin);
        s = db.ok() ? (*db)->exec(absl::StrReplaceAll(kPostgresDdl, {{"{schema}", m_schema}}))
                    : db.status();
    } else {
        for (const char *ddl : kMysqlDdl)
            if (s.ok())
                s = mysqlExec(m_admin, absl::StrReplaceAll(ddl, {{"{schema}", m_schema}}));
    }
    if (!s.ok())
        m_error = std::string(s.message());
}

BarrierDatabase::~BarrierDatabase()
{
    if (m_kind == BarrierDb::Sqlite || m_admin.empty())
        return;
    if (m_kind == BarrierDb::Postgres) {
        if (auto db = coord::storage::pq::Connection::open(m_admin); db.ok())
            (*db)->exec("DROP SCHEMA " + m_schema + " CASCADE").IgnoreError();
    } else {
        mysqlExec(m_admin, "DROP DATABASE " + m_schema).IgnoreError();
    }
}

absl::Status BarrierDatabase::exec(const std::string &sql)
{
    const std::string text = absl::StrReplaceAll(sql, {{"{table}", m_table}});
    if (m_kind == BarrierDb::Sqlite) {
        auto db = coord::storage::sqlite::Connection::open(m_bankFile, false);
        return db.ok() ? (*db)->exec(text) : db.status();
    }
    if (m_kind == BarrierDb::Postgres) {
        auto db = coord::storage::pq::Connection::open(m_admin);
        return db.ok() ? (*db)->exec(text) : db.status();
    }
    return mysqlExec(m_admin, text);
}

absl::Status BarrierDatabase::fillFromBank()
{
    if (m_kind == BarrierDb::Sqlite)
        return absl::OkStatus();
    auto bank = coord::storage::sqlite::Connection::open(m_bankFile, true);
    if (!bank.ok())
        return bank.status();
    auto q = (*bank)->prepare(
        "SELECT trans_type, gid, branch_id, op, barrier_id, reason FROM barrier ORDER BY rowid");
    if (!q.ok())
        return q.status();
    std::string values;
    while ((*q)->step()) {
        values += values.empty() ? "(" : ",(";
        for (int c = 0; c < 6; ++c)
            values += (c ? "," : "") + quoted((*q)->text(c));
        values += ")";
    }
    (*q)->reset();
    if (values.empty())
        return absl::OkStatus();
    return exec("INSERT INTO {table} (trans_type, gid, branch_id, op, barrier_id, reason) VALUES "
                + values);
}

absl::Status BarrierDatabase::dropGidIndex()
{
    if (m_kind == BarrierDb::Sqlite)
        return exec("CREATE TABLE unindexed AS SELECT * FROM barrier; DROP TABLE barrier; "
                    "ALTER TABLE unindexed RENAME TO barrier");
    if (m_kind == BarrierDb::Postgres)
        return exec("ALTER TABLE {table} DROP CONSTRAINT uniq_barrier");
    return exec("ALTER TABLE {table} DROP INDEX gid");
}

}  // namespace testsupport
