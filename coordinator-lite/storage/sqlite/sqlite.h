#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

// Thin RAII wrappers over the SQLite C API: every value is bound, never formatted into SQL.
namespace coord::storage::sqlite {

class Statement
{
public:
    Statement(sqlite3 *db, sqlite3_stmt *stmt) : m_db(db), m_stmt(stmt) {}
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Statement &bind(int index, int64_t value);
    Statement &bind(int index, std::string_view text);
    Statement &bindBlob(int index, std::string_view bytes);
    Statement &bindNull(int index);
    // Binds the next parameter (1, 2, … since the last reset), like pq::Params.
    Statement &add(int64_t value) { return bind(m_next++, value); }
    Statement &add(std::string_view text) { return bind(m_next++, text); }
    Statement &addBytes(std::string_view bytes) { return bindBlob(m_next++, bytes); }

    // Steps once: true when a row is available, false when done; errors land in status().
    bool step();
    absl::Status run();  // steps to completion
    void reset();
    absl::Status status() const { return m_status; }

    int64_t int64(int column) const;
    std::string text(int column) const;
    bool isNull(int column) const;
    int columns() const;

    sqlite3_stmt *handle() const { return m_stmt; }

private:
    // Text and bytes are copied here and bound without SQLite copying them again: one memcpy
    // into memory the statement keeps, not a malloc per value (and a free on reset). Valid
    // until reset(), which is when SQLite stops reading them.
    const char *keep(std::string_view bytes);

    struct Chunk {
        std::unique_ptr<char[]> data;
        size_t size = 0;
    };
    sqlite3 *m_db;
    sqlite3_stmt *m_stmt;
    absl::Status m_status;
    int m_next = 1;
    std::vector<Chunk> m_chunks;
    size_t m_chunk = 0;  // the chunk being filled
    size_t m_used = 0;   // of it
};

// One connection with a cache of prepared statements. Not thread-safe: one user at a time.
class Connection
{
public:
    // `vfs`: a VFS's name, or null for the default one.
    static absl::StatusOr<std::unique_ptr<Connection>> open(const std::string &path, bool readOnly,
                                                            const char *vfs = nullptr);
    ~Connection();

    // Any SQL, several statements allowed, parsed every time (schema, pragmas).
    absl::Status exec(std::string_view sql);
    // One statement without parameters, prepared once (BEGIN, SAVEPOINT, COMMIT ...).
    absl::Status run(std::string_view sql);
    // A cached statement, reset and with bindings cleared.
    absl::StatusOr<Statement *> prepare(std::string_view sql);
    int64_t changes() const;
    std::string lastError() const;

private:
    explicit Connection(sqlite3 *db) : m_db(db) {}
    sqlite3 *m_db;
    struct SqlHash {
        using is_transparent = void;
        size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
    };
    std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> m_cache;
};

absl::Status errorStatus(sqlite3 *db, int rc, std::string_view what);

}  // namespace coord::storage::sqlite
