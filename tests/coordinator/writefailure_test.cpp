// A write of a transaction fails while the next write of the same transaction is already queued
// behind it, and that next one is stored (the database came back between the two commits, as in
// a PostgreSQL restart): the engine must not keep the copy whose write failed, and takes the
// transaction back from the store at once, without waiting for its lease.
#include "engineharness.h"
#include "heldcommitstore.h"

using namespace coord::domain;
using Finish = coord::engine::Engine::Finish;
using When = coord::engine::Engine::AnswerWhen;

namespace {

using testsupport::HeldCommitStore;

class WriteFailureTest : public testsupport::EngineHarness
{
protected:
    coord::storage::Store &engineStore() override { return m_held; }

    void TearDown() override
    {
        m_held.release();  // a failed assertion must not leave the committer held
        EngineHarness::TearDown();
    }

    absl::StatusOr<Transaction> finish(Finish how)
    {
        std::promise<absl::StatusOr<Transaction>> answer;
        auto future = answer.get_future();
        m_engine->finishPrepared(
            kGid, how, "", When::Finished,
            [&answer](absl::StatusOr<Transaction> r) { answer.set_value(std::move(r)); });
        if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
            return absl::DeadlineExceededError("no answer within 20 s");
        return future.get();
    }

    static constexpr const char *kGid = "held-write";
    HeldCommitStore m_held{m_store};
};

TEST_F(WriteFailureTest, aStoredWriteBehindAFailedOneLeavesNoStaleCopyAndTheGidMovesOnAtOnce)
{
    std::promise<absl::StatusOr<Transaction>> prepared;
    m_engine->prepare({.gid = kGid}, [&prepared](absl::StatusOr<Transaction> r) {
        prepared.set_value(std::move(r));
    });
    ASSERT_TRUE(prepared.get_future().get().ok());

    m_held.hold(HeldCommitStore::Which::Adding, "01", HeldCommitStore::Then::Fail);
    auto first = registerBranchAsync(kGid, "01", "Out", "A", 25);  // its write is held, then fails
    ASSERT_TRUE(m_held.waitUntilHeld());
    auto second = registerBranchAsync(kGid, "02", "In", "B", 25);  // queued behind it, then stored
    for (int i = 0; i < 1000 && m_committer->queued() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    // At least the second registration; under a slow build (TSan) a write the engine queues on
    // its own, e.g. a delayed one, may be queued with it.
    ASSERT_GE(m_committer->queued(), 1u);
    m_held.release();

    absl::Status lost = first.get(), stored = second.get();
    EXPECT_TRUE(absl::IsUnavailable(lost)) << lost;
    EXPECT_TRUE(stored.ok()) << "its write was stored: " << stored;
    ASSERT_NE(get(kGid).findBranch("02"), nullptr);
    EXPECT_EQ(get(kGid).findBranch("01"), nullptr);

    // The next round takes it back from the store, long before its lease ends.
    m_engine->runOnce(m_clock.nowMs());
    ASSERT_TRUE(settle());
    absl::Status again = registerBranchAsync(kGid, "01", "Out", "A", 25).get();
    ASSERT_TRUE(again.ok()) << "the client's retry of the lost registration: " << again;
    ASSERT_EQ(clientTry(kGid, "01", "Out", "A", 25).kind, testsupport::BankReply::Kind::Success);
    ASSERT_EQ(clientTry(kGid, "02", "In", "B", 25).kind, testsupport::BankReply::Kind::Success);
    auto done = finish(Finish::Commit);
    ASSERT_TRUE(done.ok()) << done.status();
    EXPECT_EQ(done->summary.status, TxStatus::Succeeded);
    EXPECT_EQ(m_ledger->balance("A"), 75);
    EXPECT_EQ(m_ledger->balance("B"), 125);
    EXPECT_EQ(m_engine->activeCount(), 0u) << "a finished transaction stays in memory";
}

}  // namespace
