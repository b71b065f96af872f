#include "sqlite.h"

#include "storage/sql/storerows.h"

#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstring>

namespace coord::storage::sqlite {

absl::Status errorStatus(sqlite3 *db, int rc, std::string_view what)
{
    std::string message = absl::StrCat(std::string(what), ": ",
                                       db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return absl::ResourceExhaustedError(
            absl::StrCat(message, " (disk full; nothing was changed — free space and retry)"));
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
        return absl::UnavailableError(absl::StrCat(
            message,
            " (the database cannot be written: read-only file or disk, permissions, or "
            "an I/O failure; nothing was changed)"));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return absl::UnavailableError(message);
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
            return rows::uniqueViolation(std::move(message));
        return absl::InternalError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return absl::DataLossError(message);
    default:
        return absl::InternalError(message);
    }
}

Statement &Statement::bind(int index, int64_t value)
{
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

const char *Statement::keep(std::string_view bytes)
{
    constexpr size_t kChunkBytes = 16 * 1024;
    for (;;) {
        if (m_chunk < m_chunks.size()) {
            Chunk &c = m_chunks[m_chunk];
            if (c.size - m_used >= bytes.size()) {
                char *at = c.data.get() + m_used;
                if (!bytes.empty())
                    std::memcpy(at, bytes.data(), bytes.size());
                m_used += bytes.size();
                return at;
            }
            ++m_chunk;
            m_used = 0;
            continue;
        }
        const size_t size = std::max(kChunkBytes, bytes.size());
        m_chunks.push_back({std::make_unique<char[]>(size), size});
    }
}

Statement &Statement::bind(int index, std::string_view text)
{
    sqlite3_bind_text(m_stmt, index, keep(text), static_cast<int>(text.size()), SQLITE_STATIC);
    return *this;
}

Statement &Statement::bindBlob(int index, std::string_view bytes)
{
    sqlite3_bind_blob(m_stmt, index, keep(bytes), static_cast<int>(bytes.size()), SQLITE_STATIC);
    return *this;
}

Statement &Statement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

bool Statement::step()
{
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE && m_status.ok())
        m_status = errorStatus(m_db, rc, "sqlite step");
    return false;
}

absl::Status Statement::run()
{
    while (step()) {
    }
    absl::Status s = m_status;
    reset();
    return s;
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);  // nothing points into the chunks any more
    m_status = absl::OkStatus();
    m_next = 1;
    m_chunk = 0;
    m_used = 0;
    // A statement that once bound a large payload does not keep that much memory for good.
    if (m_chunks.size() > 4 || std::any_of(m_chunks.begin(), m_chunks.end(), [](const Chunk &c) {
            return c.size > 64 * 1024;
        }))
        m_chunks.clear();
}

int64_t Statement::int64(int column) const { return sqlite3_column_int64(m_stmt, column); }

int Statement::columns() const { return sqlite3_column_count(m_stmt); }

std::string Statement::text(int column) const
{
    const void *data = sqlite3_column_blob(m_stmt, column);
    int size = sqlite3_column_bytes(m_stmt, column);
    return data ? std::string(static_cast<const char *>(data), size) : std::string();
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::open(const std::string &path, bool readOnly,
                                                             const char *vfs)
{
    sqlite3 *db = nullptr;
    int flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs);
    if (rc != SQLITE_OK) {
        absl::Status s = errorStatus(db, rc, absl::StrCat("cannot open database ", path));
        sqlite3_close(db);
        return s;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_extended_result_codes(db, 1);
    return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection()
{
    m_cache.clear();
    sqlite3_stmt *stmt = nullptr;
    while ((stmt = sqlite3_next_stmt(m_db, nullptr)) != nullptr)
        sqlite3_finalize(stmt);
    sqlite3_close(m_db);
}

absl::Status Connection::exec(std::string_view sql)
{
    char *error = nullptr;
    std::string text(sql);
    int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &error);
    if (rc == SQLITE_OK)
        return absl::OkStatus();
    absl::Status s = errorStatus(m_db, rc, "sqlite exec");
    sqlite3_free(error);
    return s;
}

absl::Status Connection::run(std::string_view sql)
{
    auto statement = prepare(sql);
    if (!statement.ok())
        return statement.status();
    return (*statement)->run();
}

absl::StatusOr<Statement *> Connection::prepare(std::string_view sql)
{
    auto it = m_cache.find(sql);
    if (it != m_cache.end()) {
        it->second->reset();
        return it->second.get();
    }
    sqlite3_stmt *stmt = nullptr;
    int rc = sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK)
        return errorStatus(m_db, rc, "sqlite prepare");
    auto owned = std::make_unique<Statement>(m_db, stmt);
    Statement *raw = owned.get();
    m_cache.emplace(std::string(sql), std::move(owned));
    return raw;
}

int64_t Connection::changes() const { return sqlite3_changes64(m_db); }

std::string Connection::lastError() const { return sqlite3_errmsg(m_db); }

}  // namespace coord::storage::sqlite
