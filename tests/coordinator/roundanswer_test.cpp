// A client that asks for the answer of a round (DTM's wait_result) hears it when the step it
// started has run: a write the engine queued on its own before that step (the park after a
// branch registration) is stored after the step began, and must not answer it.
#include "engineharness.h"
#include "forwardingstore.h"

using namespace coord::domain;
using Finish = coord::engine::Engine::Finish;
using When = coord::engine::Engine::AnswerWhen;

namespace {

// Between the engine and the SQLite store: on cue, the commit that follows the one adding a
// given branch waits until released, then is stored as usual.
class HoldNextCommitStore : public testsupport::ForwardingStore
{
public:
    explicit HoldNextCommitStore(std::unique_ptr<coord::storage::SqliteStore> &inner)
        : ForwardingStore([&inner]() -> coord::storage::Store & { return *inner; })
    {}

    void holdCommitAfterAdding(std::string branchId)
    {
        std::lock_guard lock(m_mutex);
        m_afterBranch = std::move(branchId);
    }
    bool waitUntilHeld()
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, std::chrono::seconds(10), [this] { return m_held; });
    }
    void release()
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
            if (m_holdNext) {
                m_holdNext = false;
                m_held = true;
                m_cv.notify_all();
                m_cv.wait(lock, [this] { return m_released; });
            } else if (!m_afterBranch.empty() && adds(writes, m_afterBranch)) {
                m_afterBranch.clear();
                m_holdNext = true;
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
    std::string m_afterBranch;
    bool m_holdNext = false, m_held = false, m_released = false;
};

class RoundAnswerTest : public testsupport::EngineHarness
{
protected:
    coord::storage::Store &engineStore() override { return m_held; }

    void TearDown() override
    {
        m_held.release();  // a failed assertion must not leave the committer held
        EngineHarness::TearDown();
    }

    absl::Status registerBranch(const std::string &id, const std::string &side,
                                const std::string &account)
    {
        std::promise<absl::Status> answer;
        auto future = answer.get_future();
        Json payload = {{"account", account}, {"amount", 25}};
        m_engine->registerBranch({kGid, id, "", m_http->url("Trans" + side + "Confirm"),
                                  m_http->url("Trans" + side + "Cancel"), payload.dump()},
                                 [&answer](absl::Status s) { answer.set_value(s); });
        return future.get();
    }

    testsupport::BankReply clientTry(const std::string &id, const std::string &side,
                                     const std::string &account)
    {
        Json payload = {{"account", account}, {"amount", 25}};
        return m_ledger->handle("Trans" + side + "Try", {"tcc", kGid, id, "try"}, payload.dump());
    }

    static constexpr const char *kGid = "round-answer";
    HoldNextCommitStore m_held{m_store};
};

TEST_F(RoundAnswerTest, aParkQueuedBeforeTheSubmitDoesNotAnswerTheSubmitsRound)
{
    std::promise<absl::StatusOr<Transaction>> prepared;
    m_engine->prepare({.gid = kGid}, [&prepared](absl::StatusOr<Transaction> r) {
        prepared.set_value(std::move(r));
    });
    ASSERT_TRUE(prepared.get_future().get().ok());
    ASSERT_TRUE(registerBranch("01", "Out", "A").ok());
    m_held.holdCommitAfterAdding("02");
    ASSERT_TRUE(registerBranch("02", "In", "B").ok());
    ASSERT_EQ(clientTry("01", "Out", "A").kind, testsupport::BankReply::Kind::Success);
    ASSERT_EQ(clientTry("02", "In", "B").kind, testsupport::BankReply::Kind::Success);

    // The engine's own write after the registration is held; the submit's is queued behind it.
    ASSERT_TRUE(m_held.waitUntilHeld());
    std::promise<absl::StatusOr<Transaction>> round;
    auto future = round.get_future();
    m_engine->finishPrepared(
        kGid, Finish::Commit, "", When::Round,
        [&round](absl::StatusOr<Transaction> r) { round.set_value(std::move(r)); });
    for (int i = 0; i < 1000 && m_committer->queued() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_GE(m_committer->queued(), 1u) << "the submit's write is queued behind the held one";
    m_held.release();

    ASSERT_EQ(future.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    auto answer = future.get();
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->summary.status, TxStatus::Succeeded)
        << "answered before the confirms ran: " << toString(answer->summary.status);
    EXPECT_EQ(m_ledger->balance("A"), 75);
    EXPECT_EQ(m_ledger->balance("B"), 125);
}

}  // namespace
