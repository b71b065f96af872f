#include "mysqlbarriertable.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <mysql.h>

#include <algorithm>
#include <variant>

namespace coord::barrier {

namespace {

absl::Status mysqlError(st_mysql *db, const std::string &what)
{
    return absl::UnavailableError(absl::StrCat(what, ": ", mysql_error(db)));
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percentDecoded(std::string_view s)
{
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
            out += static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

using Param = std::variant<std::string, int64_t>;

// One prepared statement: parameters bound, string columns read back whole.
class Statement
{
public:
    explicit Statement(st_mysql *db) : m_db(db), m_stmt(mysql_stmt_init(db)) {}
    ~Statement()
    {
        if (m_stmt)
            mysql_stmt_close(m_stmt);
    }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    absl::Status execute(const std::string &sql, std::vector<Param> params)
    {
        if (!m_stmt)
            return mysqlError(m_db, "mysql_stmt_init");
        if (mysql_stmt_prepare(m_stmt, sql.data(), sql.size()) != 0)
            return error("preparing a statement");
        m_params = std::move(params);
        std::vector<MYSQL_BIND> binds(m_params.size());
        m_lengths.assign(m_params.size(), 0);
        for (size_t i = 0; i < m_params.size(); ++i) {
            if (auto *text = std::get_if<std::string>(&m_params[i])) {
                binds[i].buffer_type = MYSQL_TYPE_STRING;
                binds[i].buffer = text->data();
                binds[i].buffer_length = m_lengths[i] = text->size();
                binds[i].length = &m_lengths[i];
            } else {
                binds[i].buffer_type = MYSQL_TYPE_LONGLONG;
                binds[i].buffer = &std::get<int64_t>(m_params[i]);
            }
        }
        if (!binds.empty() && mysql_stmt_bind_param(m_stmt, binds.data()) != 0)
            return error("binding parameters");
        if (mysql_stmt_execute(m_stmt) != 0)
            return error("running a statement");
        return absl::OkStatus();
    }

    int64_t affected() const { return static_cast<int64_t>(mysql_stmt_affected_rows(m_stmt)); }

    // Every row of the result, each column as text (NULL as "").
    absl::StatusOr<std::vector<std::vector<std::string>>> rows(int columns)
    {
        std::vector<std::vector<char>> buffers(columns, std::vector<char>(256));
        std::vector<unsigned long> lengths(columns, 0);
        std::vector<my_bool> nulls(columns, 0);
        std::vector<MYSQL_BIND> binds(columns);
        for (int c = 0; c < columns; ++c) {
            binds[c].buffer_type = MYSQL_TYPE_STRING;
            binds[c].buffer = buffers[c].data();
            binds[c].buffer_length = buffers[c].size();
            binds[c].length = &lengths[c];
            binds[c].is_null = &nulls[c];
        }
        if (mysql_stmt_bind_result(m_stmt, binds.data()) != 0)
            return error("binding results");
        std::vector<std::vector<std::string>> out;
        for (;;) {
            const int rc = mysql_stmt_fetch(m_stmt);
            if (rc == MYSQL_NO_DATA)
                break;
            if (rc == 1)
                return error("reading rows");
            std::vector<std::string> row(columns);
            for (int c = 0; c < columns; ++c) {
                if (nulls[c])
                    continue;
                if (lengths[c] > buffers[c].size()) {  // longer than the buffer: fetch it whole
                    std::string whole(lengths[c], '\0');
                    MYSQL_BIND one{};
                    one.buffer_type = MYSQL_TYPE_STRING;
                    one.buffer = whole.data();
                    one.buffer_length = whole.size();
                    if (mysql_stmt_fetch_column(m_stmt, &one, c, 0) != 0)
                        return error("reading a long value");
                    row[c] = std::move(whole);
                } else {
                    row[c].assign(buffers[c].data(), lengths[c]);
                }
            }
            out.push_back(std::move(row));
        }
        return out;
    }

private:
    absl::Status error(const std::string &what)
    {
        return absl::UnavailableError(absl::StrCat(what, ": ", mysql_stmt_error(m_stmt)));
    }

    st_mysql *m_db;
    MYSQL_STMT *m_stmt;
    std::vector<Param> m_params;
    std::vector<unsigned long> m_lengths;
};

}  // namespace

absl::StatusOr<MysqlLocation> parseMysqlUrl(const std::string &url)
{
    std::string_view rest = url;
    for (std::string_view scheme : {"mysql://", "mariadb://"})
        if (rest.substr(0, scheme.size()) == scheme)
            rest.remove_prefix(scheme.size());
    if (rest.size() == url.size())
        return absl::InvalidArgumentError(absl::StrCat(url, ": not a mysql:// URL"));
    MysqlLocation loc;
    if (const size_t q = rest.find('?'); q != std::string_view::npos) {
        std::string_view query = rest.substr(q + 1);
        rest = rest.substr(0, q);
        if (query.substr(0, 7) != "socket=")
            return absl::InvalidArgumentError(
                absl::StrCat(redactDsn(url), ": the only option is ?socket=PATH"));
        loc.socket = percentDecoded(query.substr(7));
    }
    if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        const size_t colon = userinfo.find(':');
        loc.user = percentDecoded(userinfo.substr(0, colon));
        if (colon != std::string_view::npos)
            loc.password = percentDecoded(userinfo.substr(colon + 1));
    }
    const size_t slash = rest.find('/');
    if (slash != std::string_view::npos) {
        loc.database = percentDecoded(rest.substr(slash + 1));
        rest = rest.substr(0, slash);
    }
    if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        const std::string port(rest.substr(colon + 1));
        char *end = nullptr;
        const long p = std::strtol(port.c_str(), &end, 10);
        if (port.empty() || *end != '\0' || p <= 0 || p > 65535)
            return absl::InvalidArgumentError(
                absl::StrCat(redactDsn(url), ": port \"", port, "\" is not a port number"));
        loc.port = static_cast<unsigned>(p);
        rest = rest.substr(0, colon);
    }
    if (!rest.empty())
        loc.host = std::string(rest);
    return loc;
}

MysqlBarrierTable::MysqlBarrierTable(st_mysql *db, std::string url, std::string table)
    : m_db(db), m_url(std::move(url)), m_table(std::move(table))
{}

MysqlBarrierTable::~MysqlBarrierTable() { mysql_close(m_db); }

absl::StatusOr<st_mysql *> connectMysql(const std::string &url, Access access)
{
    auto loc = parseMysqlUrl(url);
    if (!loc.ok())
        return loc.status();
    st_mysql *db = mysql_init(nullptr);
    if (!db)
        return absl::ResourceExhaustedError("mysql_init: out of memory");
    const unsigned timeoutSeconds = 10;
    mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeoutSeconds);
    mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(db, loc->host.c_str(), loc->user.c_str(), loc->password.c_str(),
                            loc->database.empty() ? nullptr : loc->database.c_str(), loc->port,
                            loc->socket.empty() ? nullptr : loc->socket.c_str(), 0)) {
        absl::Status s = mysqlError(db, absl::StrCat("cannot connect to ", redactDsn(url)));
        mysql_close(db);
        return s;
    }
    if (access == Access::ReadOnly && mysql_query(db, "SET SESSION TRANSACTION READ ONLY") != 0) {
        absl::Status s = mysqlError(db, "SET SESSION TRANSACTION READ ONLY");
        mysql_close(db);
        return s;
    }
    return db;
}

absl::StatusOr<std::unique_ptr<MysqlBarrierTable>> MysqlBarrierTable::open(const std::string &url,
                                                                           const std::string &table,
                                                                           Access access)
{
    auto connected = connectMysql(url, access);
    if (!connected.ok())
        return connected.status();
    st_mysql *db = *connected;
    std::unique_ptr<MysqlBarrierTable> t(new MysqlBarrierTable(db, url, table));
    Statement probe(db);
    if (auto s = probe.execute(
            absl::StrCat("SELECT trans_type, gid, branch_id, op, reason FROM ", table, " LIMIT 1"),
            {});
        !s.ok())
        return absl::NotFoundError(
            absl::StrCat(redactDsn(url), " has no barrier table ", table,
                         " with trans_type, gid, branch_id, op, reason: ", s.message()));
    if (auto rows = probe.rows(5); !rows.ok())
        return rows.status();
    return t;
}

std::string MysqlBarrierTable::describe() const
{
    return absl::StrCat(redactDsn(m_url), " table ", m_table);
}

absl::StatusOr<std::vector<GidRows>> MysqlBarrierTable::nextGids(const std::string &afterGid,
                                                                 int gids)
{
    // A derived table, not IN (… LIMIT): MySQL and MariaDB refuse LIMIT in an IN subquery.
    Statement q(m_db);
    if (auto s =
            q.execute(absl::StrCat("SELECT b.trans_type, b.gid, b.branch_id, b.op, b.reason FROM ",
                                   m_table, " b JOIN (SELECT DISTINCT gid FROM ", m_table,
                                   " WHERE gid > ? ORDER BY gid LIMIT ?) g ON b.gid = g.gid "
                                   "ORDER BY b.gid, b.branch_id, b.op"),
                      {afterGid, int64_t{std::clamp(gids, 1, 10'000)}});
        !s.ok())
        return s;
    auto rows = q.rows(5);
    if (!rows.ok())
        return rows.status();
    std::vector<GidRows> out;
    for (auto &row : *rows) {
        BarrierRow r{std::move(row[0]), std::move(row[1]), std::move(row[2]), std::move(row[3]),
                     std::move(row[4])};
        if (out.empty() || out.back().gid != r.gid)  // rows come ordered by gid
            out.push_back({r.gid, {}});
        out.back().rows.push_back(std::move(r));
    }
    return out;
}

absl::StatusOr<bool> MysqlBarrierTable::hasGidIndex()
{
    const size_t dot = m_table.find('.');
    Statement q(m_db);
    absl::Status s = dot == std::string::npos
        ? q.execute("SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() "
                    "AND table_name = ? AND column_name = 'gid' AND seq_in_index = 1 LIMIT 1",
                    {m_table})
        : q.execute("SELECT 1 FROM information_schema.statistics WHERE table_schema = ? "
                    "AND table_name = ? AND column_name = 'gid' AND seq_in_index = 1 LIMIT 1",
                    {m_table.substr(0, dot), m_table.substr(dot + 1)});
    if (!s.ok())
        return s;
    auto rows = q.rows(1);
    if (!rows.ok())
        return rows.status();
    return !rows->empty();
}

absl::StatusOr<int64_t> MysqlBarrierTable::deleteGids(const std::vector<std::string> &gids)
{
    if (gids.empty())
        return 0;
    if (mysql_query(m_db, "START TRANSACTION") != 0)
        return mysqlError(m_db, "START TRANSACTION");
    int64_t deleted = 0;
    constexpr size_t kPerStatement = 200;
    for (size_t i = 0; i < gids.size(); i += kPerStatement) {
        const size_t n = std::min(kPerStatement, gids.size() - i);
        std::vector<std::string> marks(n, "?");
        Statement del(m_db);
        absl::Status s = del.execute(absl::StrCat("DELETE FROM ", m_table, " WHERE gid IN (",
                                                  absl::StrJoin(marks, ","), ")"),
                                     {gids.begin() + i, gids.begin() + i + n});
        if (!s.ok()) {
            mysql_query(m_db, "ROLLBACK");
            return s;
        }
        deleted += del.affected();
    }
    if (mysql_query(m_db, "COMMIT") != 0) {
        absl::Status s = mysqlError(m_db, "COMMIT");
        mysql_query(m_db, "ROLLBACK");
        return s;
    }
    return deleted;
}

}  // namespace coord::barrier
