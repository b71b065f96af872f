// openBarrierTable: a DSN to the table reader for its database.
#include "barriertable.h"

#include "mysqlbarriertable.h"
#include "pgbarriertable.h"
#include "sqlitebarriertable.h"

#include "storage/postgres/pq.h"

#include <absl/strings/str_cat.h>

#include <algorithm>

namespace coord::barrier {

namespace {

bool startsWith(const std::string &s, std::string_view prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

bool plainName(std::string_view name)
{
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '_';
    });
}

}  // namespace

bool isPlainTableName(const std::string &table)
{
    const size_t dot = table.find('.');
    if (dot == std::string::npos)
        return plainName(table);
    return plainName(std::string_view(table).substr(0, dot))
        && plainName(std::string_view(table).substr(dot + 1));
}

std::string redactDsn(const std::string &dsn)
{
    if (storage::pq::isPostgresUrl(dsn))
        return storage::pq::redactUrl(dsn);
    if (!isMysqlUrl(dsn))
        return dsn;
    const size_t scheme = dsn.find("://") + 3;
    const size_t at = dsn.rfind('@');
    const size_t colon = dsn.find(':', scheme);
    if (at == std::string::npos || colon == std::string::npos || colon > at)
        return dsn;
    return dsn.substr(0, colon + 1) + "***" + dsn.substr(at);
}

bool isMysqlUrl(const std::string &dsn)
{
    return startsWith(dsn, "mysql://") || startsWith(dsn, "mariadb://");
}

std::string sqlitePathOf(const std::string &dsn)
{
    return startsWith(dsn, "sqlite:") ? dsn.substr(7) : dsn;
}

absl::StatusOr<std::unique_ptr<BarrierTable>> openBarrierTable(const std::string &dsn,
                                                               const std::string &table,
                                                               Access access)
{
    if (dsn.empty())
        return absl::InvalidArgumentError("no barrier database given");
    const bool sqlite = !storage::pq::isPostgresUrl(dsn) && !isMysqlUrl(dsn);
    const std::string name = !table.empty() ? table : sqlite ? "barrier" : "dtm_barrier.barrier";
    if (!isPlainTableName(name))
        return absl::InvalidArgumentError(absl::StrCat(
            "barrier table name \"", name, "\": letters, digits and _, optionally SCHEMA.TABLE"));
    if (storage::pq::isPostgresUrl(dsn))
        return PgBarrierTable::open(dsn, name, access);
    if (isMysqlUrl(dsn))
        return MysqlBarrierTable::open(dsn, name, access);
    if (dsn.find("://") != std::string::npos)
        return absl::InvalidArgumentError(
            absl::StrCat(redactDsn(dsn),
                         ": unknown database kind (a SQLite path, sqlite:PATH, "
                         "postgres://…, postgresql://…, mysql://…, mariadb://…)"));
    return SqliteBarrierTable::open(sqlitePathOf(dsn), name, access);
}

}  // namespace coord::barrier
