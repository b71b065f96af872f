#include "readonlyquery.h"

#include "barriertable.h"
#include "mysqlbarriertable.h"
#include "storage/postgres/pq.h"
#include "storage/sqlite/sqlite.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <mysql.h>

namespace coord::barrier {

namespace {

absl::Status tooMany()
{
    return absl::OutOfRangeError(
        absl::StrCat("the query answers more than ", kMaxQueryRows, " rows"));
}

absl::StatusOr<QueryRows> querySqlite(const std::string &path, const std::string &sql)
{
    auto db = storage::sqlite::Connection::open(path, /*readOnly=*/true);
    if (!db.ok())
        return db.status();
    auto statement = (*db)->prepare(sql);
    if (!statement.ok())
        return statement.status();
    QueryRows rows;
    while ((*statement)->step()) {
        if (rows.size() == kMaxQueryRows)
            return tooMany();
        auto &row = rows.emplace_back();
        for (int c = 0; c < (*statement)->columns(); ++c)
            row.push_back((*statement)->text(c));
    }
    if (!(*statement)->status().ok())
        return (*statement)->status();
    return rows;
}

absl::StatusOr<QueryRows> queryPostgres(const std::string &url, const std::string &sql)
{
    auto db = storage::pq::Connection::open(url);
    if (!db.ok())
        return db.status();
    if (auto s = (*db)->exec("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"); !s.ok())
        return s;
    auto result = (*db)->query(sql);
    if (!result.ok())
        return result.status();
    if (result->rows() > kMaxQueryRows)
        return tooMany();
    QueryRows rows;
    for (int r = 0; r < result->rows(); ++r) {
        storage::pq::Row row(*result, r);
        auto &cells = rows.emplace_back();
        for (int c = 0; c < result->columns(); ++c)
            cells.push_back(row.isNull(c) ? std::string() : row.text(c));
    }
    return rows;
}

absl::StatusOr<QueryRows> queryMysql(const std::string &url, const std::string &sql)
{
    auto connected = connectMysql(url, Access::ReadOnly);
    if (!connected.ok())
        return connected.status();
    std::unique_ptr<st_mysql, void (*)(st_mysql *)> db(*connected, mysql_close);
    if (mysql_real_query(db.get(), sql.data(), sql.size()) != 0)
        return absl::InvalidArgumentError(absl::StrCat("query: ", mysql_error(db.get())));
    std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES *)> result(mysql_store_result(db.get()),
                                                             mysql_free_result);
    if (!result)
        return absl::InvalidArgumentError(absl::StrCat(
            "query: ", *mysql_error(db.get()) ? mysql_error(db.get()) : "it answers no rows"));
    if (mysql_num_rows(result.get()) > static_cast<uint64_t>(kMaxQueryRows))
        return tooMany();
    const unsigned columns = mysql_num_fields(result.get());
    QueryRows rows;
    while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
        const unsigned long *lengths = mysql_fetch_lengths(result.get());
        auto &cells = rows.emplace_back();
        for (unsigned c = 0; c < columns; ++c)
            cells.push_back(row[c] ? std::string(row[c], lengths[c]) : std::string());
    }
    return rows;
}

}  // namespace

absl::StatusOr<QueryRows> queryReadOnly(const std::string &dsn, const std::string &sql)
{
    if (dsn.empty())
        return absl::InvalidArgumentError("no database given");
    if (sql.empty())
        return absl::InvalidArgumentError("no query given");
    absl::StatusOr<QueryRows> rows = storage::pq::isPostgresUrl(dsn) ? queryPostgres(dsn, sql)
        : isMysqlUrl(dsn)                                            ? queryMysql(dsn, sql)
        : dsn.find("://") != std::string::npos
        ? absl::InvalidArgumentError(absl::StrCat(redactDsn(dsn), ": unknown database kind"))
        : querySqlite(sqlitePathOf(dsn), sql);
    if (!rows.ok())
        return absl::Status(rows.status().code(),
                            absl::StrCat(redactDsn(dsn), ": ", rows.status().message()));
    return rows;
}

std::string toText(const QueryRows &rows)
{
    std::vector<std::string> lines;
    for (const auto &row : rows)
        lines.push_back(absl::StrJoin(row, "|"));
    return absl::StrJoin(lines, "\n");
}

}  // namespace coord::barrier
