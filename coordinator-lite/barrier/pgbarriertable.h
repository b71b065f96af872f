#pragma once

#include "barriertable.h"

namespace coord::storage::pq {
class Connection;
}

namespace coord::barrier {

// A barrier table in PostgreSQL (DTM's dtm_barrier.barrier by default). Opened read only, the
// session refuses every write (default_transaction_read_only) unless opened for prune.
class PgBarrierTable final : public BarrierTable
{
public:
    static absl::StatusOr<std::unique_ptr<PgBarrierTable>> open(const std::string &url,
                                                                const std::string &table,
                                                                Access access);
    ~PgBarrierTable() override;

    std::string describe() const override;
    absl::StatusOr<std::vector<GidRows>> nextGids(const std::string &afterGid, int gids) override;
    absl::StatusOr<bool> hasGidIndex() override;
    absl::StatusOr<int64_t> deleteGids(const std::vector<std::string> &gids) override;

private:
    PgBarrierTable(std::unique_ptr<storage::pq::Connection> db, std::string url, std::string table);
    std::unique_ptr<storage::pq::Connection> m_db;
    std::string m_url;
    std::string m_table;
};

}  // namespace coord::barrier
