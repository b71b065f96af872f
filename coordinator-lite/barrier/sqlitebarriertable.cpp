#include "sqlitebarriertable.h"

#include "storage/sqlite/sqlite.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <algorithm>
#include <filesystem>

namespace coord::barrier {

SqliteBarrierTable::SqliteBarrierTable(std::unique_ptr<storage::sqlite::Connection> db,
                                       std::string path, std::string table)
    : m_db(std::move(db)), m_path(std::move(path)), m_table(std::move(table))
{}

SqliteBarrierTable::~SqliteBarrierTable() = default;

absl::StatusOr<std::unique_ptr<SqliteBarrierTable>> SqliteBarrierTable::open(
    const std::string &path, const std::string &table, Access access)
{
    if (!std::filesystem::exists(path))  // never create one: a typo must not look like "clean"
        return absl::NotFoundError(absl::StrCat("no SQLite file ", path));
    auto db = storage::sqlite::Connection::open(path, access == Access::ReadOnly);
    if (!db.ok())
        return db.status();
    auto probe = (*db)->prepare(
        absl::StrCat("SELECT trans_type, gid, branch_id, op, reason FROM ", table, " LIMIT 1"));
    if (!probe.ok())
        return absl::NotFoundError(absl::StrCat(
            path, " has no barrier table ", table,
            " with trans_type, gid, branch_id, op, reason: ", probe.status().message()));
    return std::unique_ptr<SqliteBarrierTable>(new SqliteBarrierTable(std::move(*db), path, table));
}

std::string SqliteBarrierTable::describe() const
{
    return absl::StrCat("sqlite:", m_path, " table ", m_table);
}

absl::StatusOr<std::vector<GidRows>> SqliteBarrierTable::nextGids(const std::string &afterGid,
                                                                  int gids)
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

absl::StatusOr<bool> SqliteBarrierTable::hasGidIndex()
{
    // PRAGMA index_list / index_info: an index (a primary key's too) whose first column is gid.
    std::vector<std::string> indexes;
    {
        auto q = m_db->prepare(absl::StrCat("SELECT name FROM pragma_index_list('", m_table, "')"));
        if (!q.ok())
            return q.status();
        while ((*q)->step())
            indexes.push_back((*q)->text(0));
        absl::Status st = (*q)->status();
        (*q)->reset();
        if (!st.ok())
            return st;
    }
    for (const std::string &index : indexes) {
        auto q = m_db->prepare("SELECT name FROM pragma_index_info(?1) WHERE seqno = 0");
        if (!q.ok())
            return q.status();
        (*q)->bind(1, index);
        const bool leadsWithGid = (*q)->step() && (*q)->text(0) == "gid";
        (*q)->reset();
        if (leadsWithGid)
            return true;
    }
    return false;
}

absl::StatusOr<int64_t> SqliteBarrierTable::deleteGids(const std::vector<std::string> &gids)
{
    if (gids.empty())
        return 0;
    if (auto s = m_db->exec("BEGIN IMMEDIATE"); !s.ok())
        return s;
    int64_t deleted = 0;
    constexpr size_t kPerStatement = 200;  // under SQLite's bound-parameter limit
    for (size_t i = 0; i < gids.size(); i += kPerStatement) {
        const size_t n = std::min(kPerStatement, gids.size() - i);
        std::vector<std::string> marks(n, "?");
        auto del = m_db->prepare(absl::StrCat("DELETE FROM ", m_table, " WHERE gid IN (",
                                              absl::StrJoin(marks, ","), ")"));
        absl::Status st = del.status();
        if (st.ok()) {
            for (size_t k = 0; k < n; ++k)
                (*del)->add(gids[i + k]);
            st = (*del)->run();
        }
        if (!st.ok()) {
            (void)m_db->exec("ROLLBACK");
            return st;
        }
        deleted += m_db->changes();
    }
    if (auto s = m_db->exec("COMMIT"); !s.ok()) {
        (void)m_db->exec("ROLLBACK");
        return s;
    }
    return deleted;
}

}  // namespace coord::barrier
