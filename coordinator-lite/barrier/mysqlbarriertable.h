#pragma once

#include "barriertable.h"

struct st_mysql;

namespace coord::barrier {

// Where a MySQL/MariaDB server is: mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?socket=PATH]
// (also mariadb://); the password may be percent-encoded.
struct MysqlLocation {
    std::string user, password, host = "127.0.0.1", database, socket;
    unsigned port = 3306;
};
absl::StatusOr<MysqlLocation> parseMysqlUrl(const std::string &url);
// A connection (utf8mb4, 10 s to connect); a read-only one refuses writes. mysql_close it.
absl::StatusOr<st_mysql *> connectMysql(const std::string &url, Access access);

// A barrier table in MySQL or MariaDB (DTM's dtm_barrier.barrier by default), through the
// MariaDB client library with bound parameters. Opened read only, the session refuses writes.
class MysqlBarrierTable final : public BarrierTable
{
public:
    static absl::StatusOr<std::unique_ptr<MysqlBarrierTable>> open(const std::string &url,
                                                                   const std::string &table,
                                                                   Access access);
    ~MysqlBarrierTable() override;

    std::string describe() const override;
    absl::StatusOr<std::vector<GidRows>> nextGids(const std::string &afterGid, int gids) override;
    absl::StatusOr<bool> hasGidIndex() override;
    absl::StatusOr<int64_t> deleteGids(const std::vector<std::string> &gids) override;

private:
    MysqlBarrierTable(st_mysql *db, std::string url, std::string table);
    st_mysql *m_db;
    std::string m_url;
    std::string m_table;
};

}  // namespace coord::barrier
