// A client that asks for the answer of a round (DTM's wait_result) hears it when the step it
// started has run: a write the engine queued on its own before that step (the park after a
// branch registration) is stored after the step began, and must not answer it.
#include "engineharness.h"
#include "heldcommitstore.h"

using namespace coord::domain;
using Finish = coord::engine::Engine::Finish;
using When = coord::engine::Engine::AnswerWhen;

namespace {

using testsupport::HeldCommitStore;

class RoundAnswerTest : public testsupport::EngineHarness
{
protected:
    coord::storage::Store &engineStore() override { return m_held; }

    void TearDown() override
    {
        m_held.release();  // a failed assertion must not leave the committer held
        EngineHarness::TearDown();
    }

    static constexpr const char *kGid = "round-answer";
    HeldCommitStore m_held{m_store};
};

TEST_F(RoundAnswerTest, aParkQueuedBeforeTheSubmitDoesNotAnswerTheSubmitsRound)
{
    std::promise<absl::StatusOr<Transaction>> prepared;
    m_engine->prepare({.gid = kGid}, [&prepared](absl::StatusOr<Transaction> r) {
        prepared.set_value(std::move(r));
    });
    ASSERT_TRUE(prepared.get_future().get().ok());
    ASSERT_TRUE(registerBranch(kGid, "01", "Out", "A", 25).ok());
    m_held.hold(HeldCommitStore::Which::AfterAdding, "02", HeldCommitStore::Then::Store);
    ASSERT_TRUE(registerBranch(kGid, "02", "In", "B", 25).ok());
    ASSERT_EQ(clientTry(kGid, "01", "Out", "A", 25).kind, testsupport::BankReply::Kind::Success);
    ASSERT_EQ(clientTry(kGid, "02", "In", "B", 25).kind, testsupport::BankReply::Kind::Success);

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
