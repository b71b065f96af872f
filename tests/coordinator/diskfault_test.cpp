// The coordinator's disk fills up or turns read-only under it: clear errors, nothing half
// written, nothing lost, and everything moves on once the disk is fixed.
#include "engineharness.h"
#include "support/faultydisk.h"

#include "storage/sqlite/sqlite.h"

namespace {

using coord::domain::OpKind;
using coord::domain::TxStatus;
using testsupport::FaultyDisk;

class DiskFaultTest : public testsupport::EngineHarness
{
protected:
    void SetUp() override
    {
        FaultyDisk::install();
        FaultyDisk::set(FaultyDisk::Fault::None, "coordinator.db");
        EngineHarness::SetUp();
    }
    void TearDown() override
    {
        FaultyDisk::set(FaultyDisk::Fault::None);
        EngineHarness::TearDown();
    }

    std::string integrity()
    {
        auto db = coord::storage::sqlite::Connection::open(m_dir + "/coordinator.db", true);
        if (!db.ok())
            return std::string(db.status().message());
        auto check = (*db)->prepare("PRAGMA integrity_check");
        std::string result = (*check)->step() ? (*check)->text(0) : "no answer";
        (*check)->reset();
        return result;
    }

    // A full disk, then a read-only one: the same story.
    void refusedThenAcceptedOnceFixed(FaultyDisk::Fault fault, absl::StatusCode code,
                                      const std::string &words)
    {
        auto before = submit(transferSaga(10), "before");
        ASSERT_TRUE(before.ok()) << before.status();
        ASSERT_EQ(before->summary.status, TxStatus::Succeeded);

        FaultyDisk::set(fault);
        auto refused = submit(transferSaga(20), "during");
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(refused.status().code(), code) << refused.status();
        EXPECT_NE(refused.status().message().find(words), std::string::npos) << refused.status();
        EXPECT_GT(FaultyDisk::failedWrites(), 0);
        EXPECT_EQ(get("before").summary.status, TxStatus::Succeeded);  // reads still work
        EXPECT_FALSE(m_store->get("during").ok()) << "a refused submission left a trace";
        EXPECT_EQ(m_ledger->balance("A"), 90) << "a participant was called for it";

        FaultyDisk::set(FaultyDisk::Fault::None);
        auto again = submit(transferSaga(20), "during");  // the client retries the same gid
        ASSERT_TRUE(again.ok()) << again.status();
        EXPECT_EQ(again->summary.status, TxStatus::Succeeded);
        EXPECT_EQ(m_ledger->balance("A"), 70);
        EXPECT_EQ(m_ledger->balance("B"), 130);
        EXPECT_EQ(integrity(), "ok");
    }
};

TEST_F(DiskFaultTest, aFullDiskRefusesSubmissionsClearlyAndTheyGoThroughOnceFreed)
{
    refusedThenAcceptedOnceFixed(FaultyDisk::Fault::Full, absl::StatusCode::kResourceExhausted,
                                 "disk full");
}

TEST_F(DiskFaultTest, aReadOnlyDiskRefusesSubmissionsClearlyAndTheyGoThroughOnceWritable)
{
    refusedThenAcceptedOnceFixed(FaultyDisk::Fault::ReadOnly, absl::StatusCode::kUnavailable,
                                 "cannot be written");
}

TEST_F(DiskFaultTest, aDiskFullMidTransactionHoldsItUntilFreedThenItFinishesOnce)
{
    m_ledger->script("TransOut", {"SLOW:300"});  // the disk fills while this call runs
    auto durable = submit(transferSaga(25, {{"wait_result", false}}), "mid");
    ASSERT_TRUE(durable.ok()) << durable.status();
    FaultyDisk::set(FaultyDisk::Fault::Full);
    ASSERT_TRUE(settle());  // the call ended; recording its result failed
    EXPECT_GT(FaultyDisk::failedWrites(), 0);
    auto held = get("mid");
    EXPECT_EQ(held.summary.status, TxStatus::Submitted);
    EXPECT_EQ(op(held, "out", OpKind::Action).attemptCount, 0) << "half a write was kept";
    EXPECT_EQ(integrity(), "ok");

    FaultyDisk::set(FaultyDisk::Fault::None);
    // Its owner takes it back as soon as the disk answers again, well before its lease
    // (30 s) runs out, and finishes it.
    for (int i = 0; i < 10 && get("mid").summary.status != TxStatus::Succeeded; ++i) {
        advance(500);
        settle();
    }
    auto done = get("mid");
    EXPECT_EQ(done.summary.status, TxStatus::Succeeded);
    EXPECT_EQ(m_ledger->balance("A"), 75);
    EXPECT_EQ(m_ledger->balance("B"), 125);
    EXPECT_EQ(m_ledger->maxEffectsPerOperation(), 1) << "the retried TransOut took effect twice";
    EXPECT_EQ(integrity(), "ok");
}

}  // namespace
