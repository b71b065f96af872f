// Two engines on one store (as several instances share one PostgreSQL database): a transaction
// that one parked in memory and the other moved on meanwhile is continued from the store's copy;
// and Watch sees every instance's events without a gap, even when the store cannot be read for a
// moment (the database restarting).
#include "engineharness.h"
#include "forwardingstore.h"

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
    EXPECT_EQ(get("shared-1").summary.retryAttempts, 1);  // what the stuck view shows

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
    EXPECT_EQ(tx.summary.retryAttempts, 0);
    EXPECT_EQ(out.attemptCount, 3) << "a stale copy wrote over the other instance's attempt";
    EXPECT_EQ(out.attempts.size(), 3u);
    EXPECT_EQ(m_ledger->balance("A"), 90);
    EXPECT_EQ(m_ledger->balance("B"), 110);
}

// The store as another instance's hub reads it: reading events fails while told to, as it does
// on a pooled connection the database dropped.
class UnreadableEventsStore : public testsupport::ForwardingStore
{
public:
    explicit UnreadableEventsStore(coord::storage::Store &inner)
        : ForwardingStore([&inner]() -> coord::storage::Store & { return inner; })
    {}
    void setUnreadable(bool unreadable) { m_unreadable = unreadable; }
    absl::StatusOr<std::vector<coord::domain::Event>> eventsAfter(int64_t seq, int limit) override
    {
        if (m_unreadable)
            return absl::UnavailableError("server closed the connection (injected)");
        return ForwardingStore::eventsAfter(seq, limit);
    }

private:
    std::atomic<bool> m_unreadable{false};
};

TEST_F(SharedStoreTest, ownEventsBehindAGapThatCannotBeReadYetWaitForItInsteadOfSkippingIt)
{
    UnreadableEventsStore source(*m_store);
    m_hub->setSource(&source);
    // The other instance commits through its own hub: its events reach ours only through the
    // store.
    coord::engine::EventHub otherHub(*m_store->lastSeq());
    coord::engine::Committer otherCommitter(*m_store, otherHub);
    coord::engine::EngineConfig config;
    config.instanceId = "other-instance";
    coord::engine::Engine other(*m_store, otherCommitter, *m_router, m_clock, config);
    std::promise<absl::StatusOr<Transaction>> answer;
    other.submit({transferSaga(10).dump(), "theirs", "", "", /*wait=*/true},
                 [&answer](absl::StatusOr<Transaction> r) { answer.set_value(std::move(r)); });
    auto theirs = answer.get_future();
    ASSERT_EQ(theirs.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    ASSERT_TRUE(theirs.get().ok());
    const int64_t theirLast = *m_store->lastSeq();
    ASSERT_EQ(m_hub->lastSeq(), 0) << "the other instance's events came in another way";

    source.setUnreadable(true);  // our own commit, behind their events we cannot read now
    ASSERT_TRUE(submit(transferSaga(5), "ours", /*wait=*/true).ok());
    EXPECT_LE(m_hub->lastSeq(), theirLast) << "our events were published past the gap";

    source.setUnreadable(false);  // the follower's next catch-up reads both, in order
    ASSERT_TRUE(m_hub->catchUp().ok());
    const int64_t last = *m_store->lastSeq();
    ASSERT_GT(last, theirLast);
    auto events = m_hub->recentAfter(0, 100000);
    ASSERT_TRUE(events.has_value());
    ASSERT_EQ(static_cast<int64_t>(events->size()), last);
    for (int64_t k = 0; k < last; ++k)
        EXPECT_EQ((*events)[k].seq, k + 1);
    other.stop(std::chrono::seconds(5));
    otherCommitter.stop();
}

}  // namespace
