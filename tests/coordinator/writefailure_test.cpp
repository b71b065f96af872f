// A write of a transaction fails while the next write of the same transaction is already queued
// behind it, and that next one is stored (the database came back between the two commits, as in
// a PostgreSQL restart): the engine must not keep the copy whose write failed, and takes the
// transaction back from the store at once, without waiting for its lease.
#include "engineharness.h"
#include "forwardingstore.h"

using namespace coord::domain;
using Finish = coord::engine::Engine::Finish;
using When = coord::engine::Engine::AnswerWhen;

namespace {

// Between the engine and the SQLite store: the commit that adds a given branch, on cue, waits
// until released and then fails the way a lost database connection does. Everything else goes
// straight through (the write the engine queues on its own after the prepare, say: holding
// "the next commit" held that one when the machine was slow).
class HeldCommitStore : public testsupport::ForwardingStore
{
public:
    explicit HeldCommitStore(std::unique_ptr<coord::storage::SqliteStore> &inner)
        : ForwardingStore([&inner]() -> coord::storage::Store & { return *inner; })
    {}

    void holdCommitAdding(std::string branchId)
    {
        std::lock_guard lock(m_mutex);
        m_holdBranch = std::move(branchId);
    }
    bool waitUntilHeld()
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, std::chrono::seconds(10), [this] { return m_held; });
    }
    void failHeldCommit()
    {
        std::lock_guard lock(m_mutex);
        m_released = true;
        m_cv.notify_all();
    }

    std::vector<coord::storage::WriteResult> commit(
        std::span<coord::storage::TxWrite> writes) override
    {
        {
            std::unique_lock lock(m_mutex);
            if (!m_holdBranch.empty() && adds(writes, m_holdBranch)) {
                m_holdBranch.clear();
                m_held = true;
                m_cv.notify_all();
                m_cv.wait(lock, [this] { return m_released; });
                std::vector<coord::storage::WriteResult> lost(writes.size());
                for (auto &r : lost)
                    r.status = absl::UnavailableError("server closed the connection (injected)");
                return lost;
            }
        }
        return ForwardingStore::commit(writes);
    }

private:
    static bool adds(std::span<coord::storage::TxWrite> writes, const std::string &branchId)
    {
        for (const auto &w : writes)
            for (const auto &b : w.addBranches)
                if (b.id == branchId)
                    return true;
        return false;
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::string m_holdBranch;
    bool m_held = false, m_released = false;
};

class WriteFailureTest : public testsupport::EngineHarness
{
protected:
    coord::storage::Store &engineStore() override { return m_held; }

    void TearDown() override
    {
        m_held.failHeldCommit();  // a failed assertion must not leave the committer held
        EngineHarness::TearDown();
    }

    std::future<absl::Status> registerBranch(const std::string &id, const std::string &side,
                                             const std::string &account)
    {
        auto answer = std::make_shared<std::promise<absl::Status>>();
        auto future = answer->get_future();
        Json payload = {{"account", account}, {"amount", 25}};
        m_engine->registerBranch({kGid, id, "", m_http->url("Trans" + side + "Confirm"),
                                  m_http->url("Trans" + side + "Cancel"), payload.dump()},
                                 [answer](absl::Status s) { answer->set_value(s); });
        return future;
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

    testsupport::BankReply clientTry(const std::string &id, const std::string &side,
                                     const std::string &account)
    {
        Json payload = {{"account", account}, {"amount", 25}};
        return m_ledger->handle("Trans" + side + "Try", {"tcc", kGid, id, "try"}, payload.dump());
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

    m_held.holdCommitAdding("01");
    auto first = registerBranch("01", "Out", "A");  // its write is held, then fails
    ASSERT_TRUE(m_held.waitUntilHeld());
    auto second = registerBranch("02", "In", "B");  // queued behind it, then stored
    for (int i = 0; i < 1000 && m_committer->queued() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    // At least the second registration; under a slow build (TSan) a write the engine queues on
    // its own, e.g. a delayed one, may be queued with it.
    ASSERT_GE(m_committer->queued(), 1u);
    m_held.failHeldCommit();

    absl::Status lost = first.get(), stored = second.get();
    EXPECT_TRUE(absl::IsUnavailable(lost)) << lost;
    EXPECT_TRUE(stored.ok()) << "its write was stored: " << stored;
    ASSERT_NE(get(kGid).findBranch("02"), nullptr);
    EXPECT_EQ(get(kGid).findBranch("01"), nullptr);

    // The next round takes it back from the store, long before its lease ends.
    m_engine->runOnce(m_clock.nowMs());
    ASSERT_TRUE(settle());
    absl::Status again = registerBranch("01", "Out", "A").get();
    ASSERT_TRUE(again.ok()) << "the client's retry of the lost registration: " << again;
    ASSERT_EQ(clientTry("01", "Out", "A").kind, testsupport::BankReply::Kind::Success);
    ASSERT_EQ(clientTry("02", "In", "B").kind, testsupport::BankReply::Kind::Success);
    auto done = finish(Finish::Commit);
    ASSERT_TRUE(done.ok()) << done.status();
    EXPECT_EQ(done->summary.status, TxStatus::Succeeded);
    EXPECT_EQ(m_ledger->balance("A"), 75);
    EXPECT_EQ(m_ledger->balance("B"), 125);
    EXPECT_EQ(m_engine->activeCount(), 0u) << "a finished transaction stays in memory";
}

}  // namespace
