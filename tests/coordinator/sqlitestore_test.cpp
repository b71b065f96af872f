// What only the SQLite store has: a database file on the local disk, and SQLite's error codes.
#include "api/statusmapping.h"
#include "storage/sqlite/sqlite.h"
#include "storage/sqlite/sqlitestore.h"
#include "storage/sql/storerows.h"
#include "support/childprocess.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

using coord::storage::SqliteStore;

namespace {

coord::storage::TxWrite newSaga(const std::string &gid)
{
    coord::storage::TxWrite w;
    w.gid = gid;
    w.insert = coord::domain::Transaction{};
    w.insert->summary.gid = gid;
    w.insert->summary.createdMs = 1;
    w.insert->summary.status = coord::domain::TxStatus::Submitted;
    coord::domain::Event e;
    e.kind = coord::domain::EventKind::TxCreated;
    w.events.push_back(e);
    return w;
}

TEST(SqliteStoreTest, unwritableLocationGivesAClearError)
{
    auto store = SqliteStore::open("/proc/txdesk-cannot-exist/x.db");
    ASSERT_FALSE(store.ok());
    EXPECT_NE(std::string(store.status().message()).find("/proc/txdesk-cannot-exist/x.db"),
              std::string::npos)
        << store.status();
}

TEST(SqliteStoreTest, secondStoreOnOneFileIsRefusedUntilTheFirstCloses)
{
    const std::string dir = testsupport::makeTempDir("txdesk-sqlite");
    const std::string db = dir + "/c.db";
    {
        auto first = SqliteStore::open(db);
        ASSERT_TRUE(first.ok()) << first.status();
        auto second = SqliteStore::open(db);
        ASSERT_FALSE(second.ok());
        EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
        EXPECT_EQ(second.status().message(),
                  "database " + db + " is in use by coordinator-lite pid "
                      + std::to_string(::getpid()));
    }
    EXPECT_TRUE(SqliteStore::open(db).ok());
    std::filesystem::remove_all(dir);
}

// The bug a second writer caused: its event numbers collided with ours, and the collision was
// answered ALREADY_EXISTS, which a caller reads as "that gid exists". A storage fault is INTERNAL.
TEST(SqliteStoreTest, aConstraintViolationThatIsNotATakenGidIsInternal)
{
    const std::string dir = testsupport::makeTempDir("txdesk-sqlite");
    const std::string db = dir + "/c.db";
    auto store = SqliteStore::open(db);
    ASSERT_TRUE(store.ok());
    std::vector<coord::storage::TxWrite> first{newSaga("g1")};
    ASSERT_TRUE((*store)->commit(first)[0].status.ok());

    sqlite3 *intruder = nullptr;  // a writer that bypasses the store (and its lock)
    ASSERT_EQ(sqlite3_open(db.c_str(), &intruder), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(intruder,
                           "INSERT INTO events (seq, gid, at_ms, kind) VALUES (2, 'x', 0, 0)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(intruder);

    std::vector<coord::storage::TxWrite> second{newSaga("g2")};
    const absl::Status st = (*store)->commit(second)[0].status;
    EXPECT_TRUE(absl::IsInternal(st)) << st;
    EXPECT_NE(std::string(st.message()).find("events.seq"), std::string::npos) << st;
    EXPECT_EQ(coord::api::toGrpc(st).error_code(), grpc::StatusCode::INTERNAL);
    EXPECT_TRUE(absl::IsNotFound((*store)->get("g2").status())) << "nothing half written";

    std::vector<coord::storage::TxWrite> again{newSaga("g1")};
    const absl::Status dup = (*store)->commit(again)[0].status;
    EXPECT_TRUE(absl::IsAlreadyExists(dup)) << dup;
    EXPECT_EQ(dup.message(), "transaction g1 already exists");
    store->reset();
    std::filesystem::remove_all(dir);
}

TEST(SqliteStoreTest, everySqliteErrorClassMapsToAStatusNoCallerMistakesForABusinessAnswer)
{
    using coord::storage::sqlite::errorStatus;
    struct Case {
        int rc;
        absl::StatusCode code;
    } cases[] = {
        {SQLITE_FULL, absl::StatusCode::kResourceExhausted},
        {SQLITE_READONLY, absl::StatusCode::kUnavailable},
        {SQLITE_IOERR_WRITE, absl::StatusCode::kUnavailable},
        {SQLITE_CANTOPEN, absl::StatusCode::kUnavailable},
        {SQLITE_BUSY, absl::StatusCode::kUnavailable},
        {SQLITE_LOCKED, absl::StatusCode::kUnavailable},
        {SQLITE_CONSTRAINT_UNIQUE, absl::StatusCode::kInternal},
        {SQLITE_CONSTRAINT_PRIMARYKEY, absl::StatusCode::kInternal},
        {SQLITE_CONSTRAINT_CHECK, absl::StatusCode::kInternal},
        {SQLITE_CONSTRAINT_TRIGGER, absl::StatusCode::kInternal},
        {SQLITE_CORRUPT, absl::StatusCode::kDataLoss},
        {SQLITE_NOTADB, absl::StatusCode::kDataLoss},
        {SQLITE_MISUSE, absl::StatusCode::kInternal},
    };
    for (const Case &c : cases) {
        const absl::Status s = errorStatus(nullptr, c.rc, "sqlite step");
        EXPECT_EQ(s.code(), c.code) << c.rc << ": " << s;
        EXPECT_NE(s.code(), absl::StatusCode::kAlreadyExists) << c.rc;
        EXPECT_EQ(coord::storage::rows::isUniqueViolation(s),
                  c.rc == SQLITE_CONSTRAINT_UNIQUE || c.rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            << c.rc;
    }
}

}  // namespace
