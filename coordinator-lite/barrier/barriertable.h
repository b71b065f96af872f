#pragma once

#include "consistency.h"

#include <absl/status/statusor.h>

#include <memory>
#include <string>
#include <vector>

// A participant's barrier table (DTM's dtm_barrier.barrier, or ours), reached through its DSN:
// read a page of gids at a time for the inspector, and delete finished gids' rows for prune.
namespace coord::barrier {

struct GidRows {
    std::string gid;
    std::vector<BarrierRow> rows;
};

class BarrierTable
{
public:
    virtual ~BarrierTable() = default;

    // The database and table for messages and audit entries, never with a password.
    virtual std::string describe() const = 0;
    // The next `gids` gids after `afterGid` ("" = from the first), in gid order, each with all
    // its rows.
    virtual absl::StatusOr<std::vector<GidRows>> nextGids(const std::string &afterGid,
                                                          int gids) = 0;
    // Whether an index leads with gid: without one, every page scans the whole table.
    virtual absl::StatusOr<bool> hasGidIndex() = 0;
    // Deletes every row of these gids in one database transaction; answers how many went.
    // Only on a table opened with Access::ReadWrite.
    virtual absl::StatusOr<int64_t> deleteGids(const std::vector<std::string> &gids) = 0;
};

enum class Access { ReadOnly, ReadWrite };

// DSN forms: a SQLite file path or sqlite:PATH; postgres://… or postgresql://… (libpq's URL);
// mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (also mariadb://). `table` may name a schema
// (dtm_barrier.barrier); empty = the usual one: "barrier" in SQLite, dtm_barrier.barrier
// (DTM's) in PostgreSQL and MySQL.
absl::StatusOr<std::unique_ptr<BarrierTable>> openBarrierTable(const std::string &dsn,
                                                               const std::string &table,
                                                               Access access);

bool isMysqlUrl(const std::string &dsn);           // mysql:// or mariadb://
std::string sqlitePathOf(const std::string &dsn);  // a path, or sqlite:PATH's path
// The DSN with any password replaced by "***".
std::string redactDsn(const std::string &dsn);
// letters, digits and _, optionally schema-qualified (one dot).
bool isPlainTableName(const std::string &table);

}  // namespace coord::barrier
