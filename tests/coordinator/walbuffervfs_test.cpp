// The WAL write buffer under the SQLite store's writer: fewer write calls, the same database.
#include "storage/sqlite/sqlite.h"
#include "storage/sqlite/walbuffervfs.h"
#include "support/faultydisk.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

namespace {

using coord::storage::sqlite::Connection;
using testsupport::FaultyDisk;

class WalBufferVfsTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        FaultyDisk::install();  // underneath ours: counts the write calls, fails them on demand
        FaultyDisk::set(FaultyDisk::Fault::None, "walbuffer.db");
        m_dir = std::filesystem::temp_directory_path()
            / ("txdesk-walbuffer-" + std::to_string(::getpid()) + "-"
               + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir);
        m_path = (m_dir / "walbuffer.db").string();
        auto writer = Connection::open(m_path, false, coord::storage::sqlite::walBufferVfs());
        ASSERT_TRUE(writer.ok()) << writer.status();
        m_writer = std::move(*writer);
        ASSERT_TRUE(m_writer->exec("PRAGMA journal_mode = WAL").ok());
        ASSERT_TRUE(m_writer->exec("PRAGMA synchronous = FULL").ok());
        ASSERT_TRUE(m_writer->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)").ok());
        auto reader = Connection::open(m_path, true);
        ASSERT_TRUE(reader.ok()) << reader.status();
        m_reader = std::move(*reader);
    }
    void TearDown() override
    {
        FaultyDisk::set(FaultyDisk::Fault::None);
        m_reader.reset();
        m_writer.reset();
        std::filesystem::remove_all(m_dir);
    }

    // One transaction of `rows` rows of `bytes` bytes each.
    absl::Status insert(int rows, int bytes)
    {
        if (auto s = m_writer->run("BEGIN IMMEDIATE"); !s.ok())
            return s;
        for (int i = 0; i < rows; ++i) {
            auto ins = m_writer->prepare("INSERT INTO t (v) VALUES (zeroblob(?1))");
            if (!ins.ok())
                return ins.status();
            (*ins)->bind(1, int64_t{bytes});
            if (auto s = (*ins)->run(); !s.ok()) {
                m_writer->run("ROLLBACK").IgnoreError();
                return s;
            }
        }
        if (auto s = m_writer->run("COMMIT"); !s.ok()) {
            m_writer->run("ROLLBACK").IgnoreError();
            return s;
        }
        return absl::OkStatus();
    }
    int64_t count(Connection &db, const char *sql = "SELECT COUNT(*) FROM t")
    {
        auto q = db.prepare(sql);
        EXPECT_TRUE(q.ok()) << q.status();
        int64_t n = (*q)->step() ? (*q)->int64(0) : -1;
        (*q)->reset();
        return n;
    }
    std::string integrity(Connection &db)
    {
        auto q = db.prepare("PRAGMA integrity_check");
        std::string result = (*q)->step() ? (*q)->text(0) : "no answer";
        (*q)->reset();
        return result;
    }

    std::filesystem::path m_dir;
    std::string m_path;
    std::unique_ptr<Connection> m_writer;
    std::unique_ptr<Connection> m_reader;
};

TEST_F(WalBufferVfsTest, aCommitReachesTheWalInFewerWriteCallsThanItHasPages)
{
    ASSERT_TRUE(insert(1, 10).ok());  // the WAL's header and first frames
    const int before = FaultyDisk::writeCalls();
    ASSERT_TRUE(insert(20, 3000).ok());  // ~20 pages: 40 write calls without the buffer
    const int calls = FaultyDisk::writeCalls() - before;
    EXPECT_GE(calls, 1);
    EXPECT_LE(calls, 2) << "a commit of ~85 KB is one or two write calls (64 KiB each)";
}

TEST_F(WalBufferVfsTest, everyCommitIsReadByAnotherConnectionAtOnce)
{
    int64_t rows = 0;
    for (int i = 0; i < 300; ++i) {
        ASSERT_TRUE(insert(3, 1500).ok()) << i;
        rows += 3;
        ASSERT_EQ(count(*m_reader), rows) << "commit " << i;
        if (i == 100) {  // the WAL starts again from its beginning after a full checkpoint
            ASSERT_TRUE(m_writer->exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
        }
    }
    // A transaction larger than the buffer goes out in several flushes.
    ASSERT_TRUE(insert(8, 400000).ok());
    rows += 8;
    EXPECT_EQ(count(*m_reader), rows);
    EXPECT_EQ(integrity(*m_reader), "ok");
    m_reader.reset();
    m_writer.reset();  // closes the WAL: nothing may stay behind in the buffer
    auto again = Connection::open(m_path, true);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(count(**again), rows);
    EXPECT_EQ(integrity(**again), "ok");
}

TEST_F(WalBufferVfsTest, aFullDiskFailsTheCommitCleanlyAndTheNextOneLands)
{
    ASSERT_TRUE(insert(2, 100).ok());
    FaultyDisk::set(FaultyDisk::Fault::Full);
    absl::Status refused = insert(5, 3000);
    EXPECT_FALSE(refused.ok());
    EXPECT_NE(std::string(refused.message()).find("full"), std::string::npos) << refused;
    EXPECT_GT(FaultyDisk::failedWrites(), 0);
    EXPECT_EQ(count(*m_reader), 2) << "a failed commit became visible";

    FaultyDisk::set(FaultyDisk::Fault::None);
    ASSERT_TRUE(insert(5, 3000).ok());
    EXPECT_EQ(count(*m_reader), 7);
    EXPECT_EQ(integrity(*m_reader), "ok");
}

}  // namespace
