#include "sqlitebarrierreader.h"

#include "storage/sqlite/sqlite.h"

#include <absl/strings/str_cat.h>

#include <algorithm>

namespace coord::barrier {

namespace {

bool plainName(const std::string &name)
{
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '_';
    });
}

}  // namespace

SqliteBarrierReader::SqliteBarrierReader(std::unique_ptr<storage::sqlite::Connection> db,
                                         std::string table)
    : m_db(std::move(db)), m_table(std::move(table))
{}

SqliteBarrierReader::~SqliteBarrierReader() = default;

absl::StatusOr<std::unique_ptr<SqliteBarrierReader>> SqliteBarrierReader::open(
    const std::string &path, std::string table)
{
    if (!plainName(table))
        return absl::InvalidArgumentError(
            absl::StrCat("barrier table name \"", table, "\": letters, digits and _ only"));
    auto db = storage::sqlite::Connection::open(path, /*readOnly=*/true);
    if (!db.ok())
        return db.status();
    auto probe = (*db)->prepare(
        absl::StrCat("SELECT trans_type, gid, branch_id, op, reason FROM ", table, " LIMIT 1"));
    if (!probe.ok())
        return absl::NotFoundError(absl::StrCat(
            path, " has no barrier table ", table,
            " with trans_type, gid, branch_id, op, reason: ", probe.status().message()));
    return std::unique_ptr<SqliteBarrierReader>(new SqliteBarrierReader(std::move(*db), table));
}

absl::StatusOr<std::vector<SqliteBarrierReader::GidRows>> SqliteBarrierReader::nextGids(
    const std::string &afterGid, int gids)
{
    auto q = m_db->prepare(
        absl::StrCat("SELECT trans_type, gid, branch_id, op, reason FROM ", m_table,
                     " WHERE gid IN (SELECT DISTINCT gid FROM ", m_table,
                     " WHERE gid > ?1 ORDER BY gid LIMIT ?2) ORDER BY gid, branch_id, op"));
    if (!q.ok())
        return q.status();
    storage::sqlite::Statement &s = **q;
    s.bind(1, afterGid).bind(2, int64_t{std::clamp(gids, 1, 10'000)});
    std::vector<GidRows> out;
    while (s.step()) {
        BarrierRow r{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4)};
        if (out.empty() || out.back().gid != r.gid)  // rows come ordered by gid
            out.push_back({r.gid, {}});
        out.back().rows.push_back(std::move(r));
    }
    absl::Status st = s.status();
    s.reset();
    if (!st.ok())
        return st;
    return out;
}

}  // namespace coord::barrier
