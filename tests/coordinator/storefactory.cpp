#include "storefactory.h"

#include "storage/postgres/pgstore.h"
#include "storage/postgres/pq.h"
#include "storage/sqlite/sqlitestore.h"
#include "support/childprocess.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

#include <unistd.h>

namespace testsupport {

std::string testPostgresUrl()
{
    const char *url = std::getenv("TXDESK_TEST_POSTGRES");
    return url ? url : "";
}

PostgresSchema::PostgresSchema()
{
    const std::string base = testPostgresUrl();
    if (base.empty()) {
        m_error = kNoPostgres;
        return;
    }
    static std::atomic<int> counter{0};
    m_name = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_"
        + std::to_string(std::random_device{}() % 1000000);
    auto db = coord::storage::pq::Connection::open(base);
    if (!db.ok()) {
        m_error = std::string(db.status().message());
        return;
    }
    if (auto s = (*db)->exec("CREATE SCHEMA " + m_name); !s.ok()) {
        m_error = std::string(s.message());
        return;
    }
    m_url = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D"
        + m_name;
}

PostgresSchema::~PostgresSchema()
{
    if (!ok())
        return;
    if (auto db = coord::storage::pq::Connection::open(testPostgresUrl()); db.ok())
        (*db)->exec("DROP SCHEMA " + m_name + " CASCADE").IgnoreError();
}

namespace {

class SqliteFactory : public StoreFactory
{
public:
    SqliteFactory() : m_dir(makeTempDir("txdesk-store")) {}
    ~SqliteFactory() override { std::filesystem::remove_all(m_dir); }
    absl::StatusOr<std::unique_ptr<coord::storage::Store>> open() override
    {
        auto store = coord::storage::SqliteStore::open(m_dir + "/coordinator.db");
        if (!store.ok())
            return store.status();
        return std::unique_ptr<coord::storage::Store>(std::move(*store));
    }

private:
    std::string m_dir;
};

class PostgresFactory : public StoreFactory
{
public:
    const PostgresSchema &schema() const { return m_schema; }
    absl::StatusOr<std::unique_ptr<coord::storage::Store>> open() override
    {
        auto store = coord::storage::PgStore::open(m_schema.url());
        if (!store.ok())
            return store.status();
        return std::unique_ptr<coord::storage::Store>(std::move(*store));
    }

private:
    PostgresSchema m_schema;
};

}  // namespace

std::unique_ptr<StoreFactory> StoreFactory::sqlite() { return std::make_unique<SqliteFactory>(); }

std::unique_ptr<StoreFactory> StoreFactory::postgres(std::string *why)
{
    auto factory = std::make_unique<PostgresFactory>();
    if (!factory->schema().ok()) {
        *why = factory->schema().error();
        return nullptr;
    }
    return factory;
}

}  // namespace testsupport
