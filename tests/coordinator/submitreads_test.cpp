// How often a submit with the client's own gid reads the store before its write: once, to answer
// the same gid again with its transaction, and not at all when the caller has just looked (DTM's
// API reads it itself to answer a repeated submit as dtmsvr does).
#include "engineharness.h"
#include "forwardingstore.h"

#include <atomic>

using namespace coord::domain;

namespace {

class CountingStore : public testsupport::ForwardingStore
{
public:
    explicit CountingStore(std::unique_ptr<coord::storage::SqliteStore> &inner)
        : ForwardingStore([&inner]() -> coord::storage::Store & { return *inner; })
    {}
    absl::StatusOr<Transaction> get(const std::string &gid, int attemptLimit) override
    {
        ++gets;
        return ForwardingStore::get(gid, attemptLimit);
    }
    std::atomic<int> gets{0};
};

class SubmitReadsTest : public testsupport::EngineHarness
{
protected:
    coord::storage::Store &engineStore() override { return m_counting; }

    absl::StatusOr<Transaction> submitLookedUp(const Json &flow, const std::string &gid)
    {
        coord::engine::SubmitCommand cmd;
        cmd.flowJson = flow.dump();
        cmd.gid = gid;
        cmd.wait = true;
        cmd.gidLookedUp = true;
        std::promise<absl::StatusOr<Transaction>> answer;
        auto f = answer.get_future();
        m_engine->submit(std::move(cmd),
                         [&answer](absl::StatusOr<Transaction> r) { answer.set_value(r); });
        return f.get();
    }

    CountingStore m_counting{m_store};
};

TEST_F(SubmitReadsTest, aClientGidIsReadOnceUnlessTheCallerHasJustLooked)
{
    auto first = submit(transferSaga(30), "own-gid", true);
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(m_counting.gets.load(), 1) << "one read, to find the gid is new";

    auto looked = submitLookedUp(transferSaga(30), "looked-up");
    ASSERT_TRUE(looked.ok()) << looked.status();
    EXPECT_EQ(looked->summary.status, TxStatus::Succeeded);
    EXPECT_EQ(m_counting.gets.load(), 1) << "the caller's read is not repeated";

    auto again = submit(transferSaga(30), "own-gid", true);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(m_ledger->effects("own-gid", "action"), 2) << "nothing ran twice";
    auto different = submit(transferSaga(31), "own-gid", true);
    EXPECT_TRUE(absl::IsAlreadyExists(different.status())) << different.status();
}

}  // namespace
