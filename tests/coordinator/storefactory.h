#pragma once

#include "storage/store.h"

#include <memory>
#include <string>

namespace testsupport {

// The PostgreSQL server the tests may use: TXDESK_TEST_POSTGRES (scripts/with-postgres sets it;
// scripts/test always runs under it). Empty when unset.
std::string testPostgresUrl();
inline constexpr const char *kNoPostgres =
    "TXDESK_TEST_POSTGRES is not set: PostgreSQL tests need a server (scripts/test starts one; "
    "or run ctest under scripts/with-postgres)";

// A fresh schema of the test database, dropped again on destruction, so tests running in
// parallel never see each other's tables. url() connects with it as the search path.
class PostgresSchema
{
public:
    PostgresSchema();  // check ok() / error()
    ~PostgresSchema();
    bool ok() const { return m_error.empty(); }
    const std::string &error() const { return m_error; }
    const std::string &url() const { return m_url; }
    const std::string &name() const { return m_name; }

private:
    std::string m_name;
    std::string m_url;
    std::string m_error;
};

// Opens the store under test on one fresh database; open() again reopens the same database.
class StoreFactory
{
public:
    virtual ~StoreFactory() = default;
    virtual absl::StatusOr<std::unique_ptr<coord::storage::Store>> open() = 0;

    static std::unique_ptr<StoreFactory> sqlite();
    // nullptr (with the reason in *why) when there is no test server.
    static std::unique_ptr<StoreFactory> postgres(std::string *why);
};

}  // namespace testsupport
