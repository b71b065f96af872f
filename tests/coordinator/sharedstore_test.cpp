// Two engines on one store (as several instances share one PostgreSQL database): a transaction
// that one parked in memory and the other moved on meanwhile is continued from the store's copy.
#include "engineharness.h"

namespace {

using coord::domain::OpKind;
using coord::domain::Transaction;
using coord::domain::TxStatus;

using SharedStoreTest = testsupport::EngineHarness;

TEST_F(SharedStoreTest, aParkedCopyThatAnotherInstanceMovedOnIsReloadedBeforeGoingOn)
{
    coord::engine::EngineConfig config;
    config.instanceId = "other-instance";
    coord::engine::Engine other(*m_store, *m_committer, *m_router, m_clock, config);

    m_ledger->script("TransOut", {"ERROR", "ERROR"});
    std::promise<absl::StatusOr<Transaction>> answer;
    auto finished = answer.get_future();
    m_engine->submit({transferSaga(10).dump(), "shared-1", "", "", /*wait=*/true},
                     [&answer](absl::StatusOr<Transaction> r) { answer.set_value(std::move(r)); });
    ASSERT_TRUE(settle());  // attempt 1 failed; parked here, kept in memory for the waiter

    m_clock.advance(1'500);  // its lease (= next retry) ran out: the other instance takes it
    ASSERT_EQ(other.runOnce(m_clock.nowMs()), 1);
    ASSERT_TRUE(settle(other));  // attempt 2 failed there
    ASSERT_EQ(op(get("shared-1"), "out", OpKind::Action).attemptCount, 2);

    m_clock.advance(10'000);  // and back to the first instance
    ASSERT_EQ(m_engine->runOnce(m_clock.nowMs()), 1);
    ASSERT_EQ(finished.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    auto result = finished.get();
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->summary.status, TxStatus::Succeeded);
    other.stop(std::chrono::seconds(5));

    const Transaction tx = get("shared-1");
    const auto &out = op(tx, "out", OpKind::Action);
    EXPECT_EQ(tx.summary.status, TxStatus::Succeeded);
    EXPECT_EQ(out.attemptCount, 3) << "a stale copy wrote over the other instance's attempt";
    EXPECT_EQ(out.attempts.size(), 3u);
    EXPECT_EQ(m_ledger->balance("A"), 90);
    EXPECT_EQ(m_ledger->balance("B"), 110);
}

}  // namespace
