#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

// Thin RAII wrappers over libpq: every value is bound ($1, $2, …), never formatted into SQL.
namespace coord::storage::pq {

// Bound parameters of one statement: text for numbers and strings, binary for bytea.
class Params
{
public:
    Params &add(int64_t value);
    Params &add(std::string_view text);
    Params &addBytes(std::string_view bytes);  // for bytea columns: any bytes, NUL included

    int size() const { return static_cast<int>(m_values.size()); }
    std::vector<const char *> values() const;
    const int *lengths() const { return m_lengths.data(); }
    const int *formats() const { return m_formats.data(); }

private:
    std::vector<std::string> m_values;
    std::vector<int> m_lengths;
    std::vector<int> m_formats;
};

// The rows of one statement (text format; bytea columns are decoded by text()).
class Result
{
public:
    explicit Result(pg_result *result) : m_result(result, &clear) {}

    int rows() const;
    int columns() const;
    int64_t affected() const;  // rows changed by INSERT/UPDATE/DELETE

private:
    friend class Row;
    friend class Connection;
    static void clear(pg_result *result);
    std::unique_ptr<pg_result, void (*)(pg_result *)> m_result;
};

// One row of a Result, read like a SQLite statement's current row.
class Row
{
public:
    Row(const Result &result, int row) : m_result(result), m_row(row) {}
    int64_t int64(int column) const;
    std::string text(int column) const;  // bytea columns come back as their raw bytes
    bool isNull(int column) const;

private:
    const Result &m_result;
    int m_row;
};

// One connection with a cache of prepared statements. Not thread-safe: one user at a time.
class Connection
{
public:
    static absl::StatusOr<std::unique_ptr<Connection>> open(const std::string &url);
    ~Connection();

    // Runs one or more statements without parameters (BEGIN, COMMIT, DDL).
    absl::Status exec(std::string_view sql);
    // Runs one statement, prepared once per connection.
    absl::StatusOr<Result> query(const std::string &sql, const Params &params = {});
    bool broken() const;
    bool idle() const;  // not inside a transaction block
    // Reads what the server sent an idle connection meanwhile (a restart's "terminating
    // connection"), so a connection the server dropped is known dead before it is used.
    bool stillAlive();

    // LISTEN side: waits until a notification arrives or timeoutMs passes; true when one came.
    absl::StatusOr<bool> waitForNotification(int timeoutMs);

private:
    explicit Connection(pg_conn *conn) : m_conn(conn) {}
    pg_conn *m_conn;
    std::map<std::string, std::string, std::less<>> m_prepared;  // sql -> statement name
};

// Connections to one database, reused; a connection that broke is dropped, not returned.
class Pool
{
public:
    explicit Pool(std::string url, size_t keep = 8) : m_url(std::move(url)), m_keep(keep) {}

    class Lease
    {
    public:
        Lease(Pool &pool, std::unique_ptr<Connection> conn) : m_pool(pool), m_conn(std::move(conn))
        {}
        Lease(Lease &&) = default;
        ~Lease();
        Connection *operator->() { return m_conn.get(); }
        Connection &operator*() { return *m_conn; }

    private:
        Pool &m_pool;
        std::unique_ptr<Connection> m_conn;
    };

    absl::StatusOr<Lease> take();

private:
    std::string m_url;
    size_t m_keep;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<Connection>> m_idle;
};

// The URL with any password replaced by ***, for messages and logs.
std::string redactUrl(std::string_view url);
bool isPostgresUrl(std::string_view location);

}  // namespace coord::storage::pq
