// What only the SQLite store has: a database file on the local disk.
#include "storage/sqlitestore.h"

#include <gtest/gtest.h>

using coord::storage::SqliteStore;

namespace {

TEST(SqliteStoreTest, unwritableLocationGivesAClearError)
{
    auto store = SqliteStore::open("/proc/txdesk-cannot-exist/x.db");
    ASSERT_FALSE(store.ok());
    EXPECT_NE(std::string(store.status().message()).find("/proc/txdesk-cannot-exist/x.db"),
              std::string::npos)
        << store.status();
}

}  // namespace
