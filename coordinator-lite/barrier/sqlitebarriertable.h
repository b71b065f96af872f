#pragma once

#include "barriertable.h"

namespace coord::storage::sqlite {
class Connection;
}

namespace coord::barrier {

// A barrier table in a SQLite file (ours: coordinator-lite/barrier/sqlitebarrier.cpp). Read
// only unless opened for prune; the service may be running meanwhile (busy timeout 5 s).
class SqliteBarrierTable final : public BarrierTable
{
public:
    static absl::StatusOr<std::unique_ptr<SqliteBarrierTable>> open(const std::string &path,
                                                                    const std::string &table,
                                                                    Access access);
    ~SqliteBarrierTable() override;

    std::string describe() const override;
    absl::StatusOr<std::vector<GidRows>> nextGids(const std::string &afterGid, int gids) override;
    absl::StatusOr<bool> hasGidIndex() override;
    absl::StatusOr<int64_t> deleteGids(const std::vector<std::string> &gids) override;

private:
    SqliteBarrierTable(std::unique_ptr<storage::sqlite::Connection> db, std::string path,
                       std::string table);
    std::unique_ptr<storage::sqlite::Connection> m_db;
    std::string m_path;
    std::string m_table;
};

}  // namespace coord::barrier
