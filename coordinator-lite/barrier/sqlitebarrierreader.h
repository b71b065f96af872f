#pragma once

#include "consistency.h"

#include <absl/status/statusor.h>

#include <memory>
#include <string>
#include <vector>

namespace coord::storage::sqlite {
class Connection;
}

namespace coord::barrier {

// A participant's barrier table in a SQLite file, read only (the service may be running), a
// page of gids at a time in gid order, each gid with all its rows.
class SqliteBarrierReader
{
public:
    static absl::StatusOr<std::unique_ptr<SqliteBarrierReader>> open(const std::string &path,
                                                                     std::string table = "barrier");
    ~SqliteBarrierReader();

    struct GidRows {
        std::string gid;
        std::vector<BarrierRow> rows;
    };
    // The next `gids` gids after `afterGid` ("" = from the first), in order, with their rows.
    absl::StatusOr<std::vector<GidRows>> nextGids(const std::string &afterGid, int gids);

private:
    SqliteBarrierReader(std::unique_ptr<storage::sqlite::Connection> db, std::string table);
    std::unique_ptr<storage::sqlite::Connection> m_db;
    std::string m_table;
};

}  // namespace coord::barrier
