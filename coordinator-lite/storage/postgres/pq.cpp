#include "pq.h"

#include "storage/sql/storerows.h"

#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/strip.h>
#include <libpq-fe.h>

#include <poll.h>

#include <charconv>

namespace coord::storage::pq {
namespace {

constexpr Oid kByteaOid = 17;

std::string trimmed(const char *message)
{
    return std::string(absl::StripTrailingAsciiWhitespace(message ? message : ""));
}

// Maps a failed statement to a status by its SQLSTATE class.
absl::Status resultStatus(const PGresult *result, pg_conn *conn, std::string_view what)
{
    const char *state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string code = state ? state : "";
    std::string message =
        absl::StrCat(std::string(what), ": ",
                     trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn)));
    if (code == "23505")
        return rows::uniqueViolation(std::move(message));
    if (code == "40001" || code == "40P01")
        return absl::AbortedError(message);
    if (code == "P0001")  // RAISE EXCEPTION: the audit log's append-only trigger
        return absl::FailedPreconditionError(message);
    if (absl::StartsWith(code, "53"))
        return absl::ResourceExhaustedError(message);
    if (code.empty() || absl::StartsWith(code, "08") || absl::StartsWith(code, "57"))
        return absl::UnavailableError(message);
    return absl::InternalError(message);
}

}  // namespace

std::string redactUrl(std::string_view url)
{
    // postgresql://user:password@host/db -> postgresql://user:***@host/db
    std::string out(url);
    auto scheme = out.find("://");
    if (scheme == std::string::npos)
        return out;
    auto at = out.find('@', scheme + 3);
    auto colon = out.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
        out.replace(colon + 1, at - colon - 1, "***");
    return out;
}

bool isPostgresUrl(std::string_view location)
{
    return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Params &Params::add(int64_t value)
{
    m_values.push_back(std::to_string(value));
    m_lengths.push_back(0);
    m_formats.push_back(0);
    return *this;
}

Params &Params::add(std::string_view text)
{
    m_values.emplace_back(text);
    m_lengths.push_back(0);
    m_formats.push_back(0);
    return *this;
}

Params &Params::addBytes(std::string_view bytes)
{
    m_values.emplace_back(bytes);
    m_lengths.push_back(static_cast<int>(bytes.size()));
    m_formats.push_back(1);
    return *this;
}

std::vector<const char *> Params::values() const
{
    std::vector<const char *> out;
    out.reserve(m_values.size());
    for (const std::string &v : m_values)
        out.push_back(v.data());
    return out;
}

void Result::clear(pg_result *result) { PQclear(result); }

int Result::rows() const { return PQntuples(m_result.get()); }
int Result::columns() const { return PQnfields(m_result.get()); }

int64_t Result::affected() const
{
    const char *n = PQcmdTuples(m_result.get());
    int64_t value = 0;
    if (n)
        std::from_chars(n, n + std::char_traits<char>::length(n), value);
    return value;
}

int64_t Row::int64(int column) const
{
    const PGresult *r = m_result.m_result.get();
    const char *v = PQgetvalue(r, m_row, column);
    int64_t value = 0;
    if (v)
        std::from_chars(v, v + PQgetlength(r, m_row, column), value);
    return value;
}

std::string Row::text(int column) const
{
    const PGresult *r = m_result.m_result.get();
    if (PQgetisnull(r, m_row, column))
        return {};
    const char *v = PQgetvalue(r, m_row, column);
    if (PQftype(r, column) != kByteaOid)
        return std::string(v, PQgetlength(r, m_row, column));
    size_t size = 0;
    unsigned char *bytes = PQunescapeBytea(reinterpret_cast<const unsigned char *>(v), &size);
    std::string out(reinterpret_cast<const char *>(bytes), bytes ? size : 0);
    PQfreemem(bytes);
    return out;
}

bool Row::isNull(int column) const
{
    return PQgetisnull(m_result.m_result.get(), m_row, column) != 0;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::open(const std::string &url)
{
    char *parseError = nullptr;
    PQconninfoOption *parsed = PQconninfoParse(url.c_str(), &parseError);
    if (!parsed) {
        std::string why = parseError ? trimmed(parseError) : "out of memory";
        PQfreemem(parseError);
        return absl::InvalidArgumentError(
            absl::StrCat("invalid PostgreSQL URL ", redactUrl(url), ": ", why));
    }
    PQconninfoFree(parsed);
    PGconn *conn = PQconnectdb(url.c_str());
    if (!conn)
        return absl::ResourceExhaustedError("libpq: out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
        absl::Status s = absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL at ",
                                                             redactUrl(url), ": ",
                                                             trimmed(PQerrorMessage(conn))));
        PQfinish(conn);
        return s;
    }
    auto self = std::unique_ptr<Connection>(new Connection(conn));
    // Quiet NOTICEs ("relation already exists, skipping") instead of printing them to stderr.
    PQsetNoticeProcessor(
        conn, [](void *, const char *) {}, nullptr);
    return self;
}

Connection::~Connection() { PQfinish(m_conn); }

bool Connection::broken() const { return PQstatus(m_conn) != CONNECTION_OK; }

bool Connection::idle() const { return PQtransactionStatus(m_conn) == PQTRANS_IDLE; }

bool Connection::stillAlive()
{
    return PQconsumeInput(m_conn) == 1 && PQstatus(m_conn) == CONNECTION_OK;
}

absl::Status Connection::exec(std::string_view sql)
{
    std::string text(sql);
    Result result(PQexec(m_conn, text.c_str()));
    const PGresult *r = result.m_result.get();
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return absl::OkStatus();
    return resultStatus(r, m_conn, "postgresql");
}

absl::StatusOr<Result> Connection::query(const std::string &sql, const Params &params)
{
    auto it = m_prepared.find(sql);
    if (it == m_prepared.end()) {
        std::string name = absl::StrCat("s", m_prepared.size() + 1);
        Result prepared(PQprepare(m_conn, name.c_str(), sql.c_str(), 0, nullptr));
        const PGresult *r = prepared.m_result.get();
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
            return resultStatus(r, m_conn, "postgresql prepare");
        it = m_prepared.emplace(sql, std::move(name)).first;
    }
    std::vector<const char *> values = params.values();
    Result result(PQexecPrepared(m_conn, it->second.c_str(), params.size(), values.data(),
                                 params.lengths(), params.formats(), 0));
    const PGresult *r = result.m_result.get();
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return result;
    return resultStatus(r, m_conn, "postgresql");
}

absl::StatusOr<bool> Connection::waitForNotification(int timeoutMs)
{
    auto drain = [this] {
        bool any = false;
        while (PGnotify *n = PQnotifies(m_conn)) {
            any = true;
            PQfreemem(n);
        }
        return any;
    };
    if (PQconsumeInput(m_conn) == 0)
        return absl::UnavailableError(
            absl::StrCat("postgresql listen: ", trimmed(PQerrorMessage(m_conn))));
    if (drain())
        return true;
    pollfd fd{PQsocket(m_conn), POLLIN, 0};
    if (fd.fd < 0)
        return absl::UnavailableError("postgresql listen: connection closed");
    if (::poll(&fd, 1, timeoutMs) <= 0)
        return false;
    if (PQconsumeInput(m_conn) == 0)
        return absl::UnavailableError(
            absl::StrCat("postgresql listen: ", trimmed(PQerrorMessage(m_conn))));
    return drain();
}

Pool::Lease::~Lease()
{
    if (!m_conn || m_conn->broken() || !m_conn->idle())
        return;  // dropped: a half-done transaction must not leak into the next user
    std::lock_guard lock(m_pool.m_mutex);
    if (m_pool.m_idle.size() < m_pool.m_keep)
        m_pool.m_idle.push_back(std::move(m_conn));
}

absl::StatusOr<Pool::Lease> Pool::take()
{
    {
        std::lock_guard lock(m_mutex);
        while (!m_idle.empty()) {
            auto conn = std::move(m_idle.back());
            m_idle.pop_back();
            if (conn->stillAlive())
                return Lease(*this, std::move(conn));
            // The server went away (restarted, failed over): a new connection instead.
        }
    }
    auto conn = Connection::open(m_url);
    if (!conn.ok())
        return conn.status();
    return Lease(*this, std::move(*conn));
}

}  // namespace coord::storage::pq
