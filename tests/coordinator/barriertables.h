#pragma once

#include "barrier/barrierinspection.h"
#include "storage/store.h"

#include <memory>
#include <string>

// The inspector's tests over the three databases DTM-style services keep their barrier in.
namespace testsupport {

// The coordinator's records straight from its store (in-process tests).
coord::barrier::RecordLookup storeLookup(coord::storage::Store &store);

enum class BarrierDb { Sqlite, Postgres, Mysql };
std::string toString(BarrierDb db);

// A barrier table to inspect: for SQLite the bank's own file and table (as the bank wrote
// it); for PostgreSQL and MySQL a fresh schema on the private test server (TXDESK_TEST_POSTGRES,
// TXDESK_TEST_MYSQL) with DTM's own barrier DDL, dropped again on destruction.
class BarrierDatabase
{
public:
    BarrierDatabase(BarrierDb kind, std::string bankFile);
    ~BarrierDatabase();

    bool ok() const { return m_error.empty(); }
    bool skipped() const { return m_skip; }  // no test server: skip, do not fail
    const std::string &error() const { return m_error; }
    const std::string &dsn() const { return m_dsn; }
    const std::string &table() const { return m_table; }

    // Copies every row of the bank's barrier table in (nothing to do for SQLite).
    absl::Status fillFromBank();
    // Runs SQL with "{table}" replaced by the table's name.
    absl::Status exec(const std::string &sql);
    // Creates the table without DTM's unique (gid, …) key, so it has no gid index.
    absl::Status dropGidIndex();

private:
    BarrierDb m_kind;
    std::string m_bankFile;
    std::string m_admin;  // connects without the schema, to create and drop it
    std::string m_schema;
    std::string m_dsn;
    std::string m_table;
    std::string m_error;
    bool m_skip = false;
};

}  // namespace testsupport
