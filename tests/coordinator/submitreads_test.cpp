// A submit with the client's own gid reads nothing from the store before its write: the insert
// is the check. The store is read only when the gid is taken, to answer a repeated submit.
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
    CountingStore m_counting{m_store};
};

TEST_F(SubmitReadsTest, aNewClientGidIsWrittenWithoutAReadAndARepeatIsAnsweredFromTheStore)
{
    auto first = submit(transferSaga(30), "own-gid", true);
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(first->summary.status, TxStatus::Succeeded);
    EXPECT_EQ(m_counting.gets.load(), 0) << "no read before the write of a new gid";

    auto again = submit(transferSaga(30), "own-gid", true);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->summary.status, TxStatus::Succeeded);
    EXPECT_GE(m_counting.gets.load(), 1) << "the taken gid is read to answer with it";
    EXPECT_EQ(m_ledger->effects("own-gid", "action"), 2) << "nothing ran twice";

    auto different = submit(transferSaga(31), "own-gid", true);
    EXPECT_TRUE(absl::IsAlreadyExists(different.status())) << different.status();
    EXPECT_NE(different.status().message().find("different flow"), std::string::npos)
        << different.status();
}

}  // namespace
