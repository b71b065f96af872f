#include "pgbarriertable.h"

#include "storage/postgres/pq.h"

#include <absl/strings/str_cat.h>

#include <algorithm>

namespace coord::barrier {

namespace pq = storage::pq;

namespace {

// A text[] literal: every element quoted, " and \ escaped (bound as one parameter).
std::string arrayLiteral(const std::vector<std::string> &values)
{
    std::string out = "{";
    for (size_t i = 0; i < values.size(); ++i) {
        out += i ? ",\"" : "\"";
        for (char c : values[i]) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

}  // namespace

PgBarrierTable::PgBarrierTable(std::unique_ptr<pq::Connection> db, std::string url,
                               std::string table)
    : m_db(std::move(db)), m_url(std::move(url)), m_table(std::move(table))
{}

PgBarrierTable::~PgBarrierTable() = default;

absl::StatusOr<std::unique_ptr<PgBarrierTable>> PgBarrierTable::open(const std::string &url,
                                                                     const std::string &table,
                                                                     Access access)
{
    auto db = pq::Connection::open(url);
    if (!db.ok())
        return db.status();
    if (access == Access::ReadOnly)
        if (auto s = (*db)->exec("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"); !s.ok())
            return s;
    auto probe = (*db)->query(
        absl::StrCat("SELECT trans_type, gid, branch_id, op, reason FROM ", table, " LIMIT 1"));
    if (!probe.ok())
        return absl::NotFoundError(absl::StrCat(
            pq::redactUrl(url), " has no barrier table ", table,
            " with trans_type, gid, branch_id, op, reason: ", probe.status().message()));
    return std::unique_ptr<PgBarrierTable>(new PgBarrierTable(std::move(*db), url, table));
}

std::string PgBarrierTable::describe() const
{
    return absl::StrCat(pq::redactUrl(m_url), " table ", m_table);
}

absl::StatusOr<std::vector<GidRows>> PgBarrierTable::nextGids(const std::string &afterGid, int gids)
{
    auto result = m_db->query(
        absl::StrCat("SELECT trans_type, gid, branch_id, op, reason FROM ", m_table,
                     " WHERE gid IN (SELECT DISTINCT gid FROM ", m_table,
                     " WHERE gid > $1 ORDER BY gid LIMIT $2) ORDER BY gid, branch_id, op"),
        pq::Params().add(afterGid).add(int64_t{std::clamp(gids, 1, 10'000)}));
    if (!result.ok())
        return result.status();
    std::vector<GidRows> out;
    for (int i = 0; i < result->rows(); ++i) {
        pq::Row row(*result, i);
        BarrierRow r{row.text(0), row.text(1), row.text(2), row.text(3), row.text(4)};
        if (out.empty() || out.back().gid != r.gid)  // rows come ordered by gid
            out.push_back({r.gid, {}});
        out.back().rows.push_back(std::move(r));
    }
    return out;
}

absl::StatusOr<bool> PgBarrierTable::hasGidIndex()
{
    auto result = m_db->query(
        "SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = i.indkey[0] WHERE i.indrelid = $1::text::regclass AND a.attname = 'gid' "
        "LIMIT 1",
        pq::Params().add(m_table));
    if (!result.ok())
        return result.status();
    return result->rows() > 0;
}

absl::StatusOr<int64_t> PgBarrierTable::deleteGids(const std::vector<std::string> &gids)
{
    if (gids.empty())
        return 0;
    // One statement is one transaction: all of these gids' rows go, or none.
    auto result = m_db->query(absl::StrCat("DELETE FROM ", m_table, " WHERE gid = ANY($1::text[])"),
                              pq::Params().add(arrayLiteral(gids)));
    if (!result.ok())
        return result.status();
    return result->affected();
}

}  // namespace coord::barrier
