// The dashboards' history the coordinator keeps: stored transactions of the last day read back
// at start, later ones from the event stream, calls per participant, in-flight and stuck counts.
#include "engine/eventhub.h"
#include "stats/dashboardhistory.h"
#include "storage/sqlite/sqlitestore.h"
#include "support/childprocess.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <numeric>

namespace {

using namespace coord::domain;
using coord::stats::DashboardHistory;

constexpr int64_t kNow = 1'780'000'020'000;  // a fixed "now", on a minute boundary

class DashboardHistoryTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = testsupport::makeTempDir("txdesk-history");
        auto store = coord::storage::SqliteStore::open(m_dir + "/c.db");
        ASSERT_TRUE(store.ok()) << store.status();
        m_store = std::move(*store);
    }
    void TearDown() override
    {
        m_store.reset();
        std::filesystem::remove_all(m_dir);
    }

    void store(const std::string &gid, TxStatus status, int64_t createdMs, int64_t finishedMs,
               const std::string &flow, const std::string &stuck = {})
    {
        coord::storage::TxWrite w;
        w.gid = gid;
        w.insert = Transaction{};
        TxSummary &s = w.insert->summary;
        s.gid = gid;
        s.status = status;
        s.createdMs = createdMs;
        s.updatedMs = finishedMs > 0 ? finishedMs : createdMs;
        s.finishedMs = finishedMs;
        s.flowName = flow;
        s.stuckReason = stuck;
        std::vector<coord::storage::TxWrite> batch{w};
        ASSERT_TRUE(m_store->commit(batch)[0].status.ok());
    }

    static int64_t sum(const History &h, int64_t HistoryPoint::*field)
    {
        return std::accumulate(h.points.begin(), h.points.end(), int64_t{0},
                               [field](int64_t a, const HistoryPoint &p) { return a + p.*field; });
    }

    std::string m_dir;
    std::unique_ptr<coord::storage::SqliteStore> m_store;
    int64_t m_now = kNow;
};

TEST_F(DashboardHistoryTest, showsTheLastHourOfStoredTransactionsAtOnceThenGoesOnLive)
{
    // An hour of history before the coordinator started: one a minute, every third rolled back.
    for (int i = 0; i < 60; ++i)
        store("old-" + std::to_string(i), i % 3 == 0 ? TxStatus::Failed : TxStatus::Succeeded,
              kNow - i * 60'000 - 30'000 - 180, kNow - i * 60'000 - 30'000,
              i % 3 == 0 ? "payment" : "shipping");
    store("ancient", TxStatus::Succeeded, kNow - 3 * 86'400'000LL, kNow - 3 * 86'400'000LL + 5,
          "payment");
    coord::engine::EventHub hub(*m_store->lastSeq());
    DashboardHistory history(*m_store, hub, [this] { return m_now; });
    ASSERT_TRUE(history.backfill().ok());

    History hour = history.query({3'600'000, 60'000, 10});
    ASSERT_EQ(hour.points.size(), 60u);
    EXPECT_EQ(hour.points.back().startMs, kNow);  // the current minute is the last point
    EXPECT_EQ(hour.points.front().startMs, kNow - 59 * 60'000);
    EXPECT_EQ(sum(hour, &HistoryPoint::succeeded) + sum(hour, &HistoryPoint::failed), 59)
        << "the one finished 59.5 min ago falls in the point before the window";
    EXPECT_EQ(sum(hour, &HistoryPoint::failed), 20);
    for (const HistoryPoint &p : hour.points)
        if (p.succeeded + p.failed > 0)
            EXPECT_EQ(p.p50Ms, 200) << "180 ms, read as its bin (100-200 ms)";
    ASSERT_EQ(hour.flows.size(), 2u);
    EXPECT_EQ(hour.flows[0].flow, "payment");  // most rolled back first
    EXPECT_EQ(hour.flows[0].failed, 20);
    EXPECT_EQ(hour.flows[1].succeeded, 39);
    EXPECT_EQ(history.query({86'400'000, 300'000, 10}).points.size(), 288u);

    // Live: a transaction finishing now comes through the event stream, once.
    m_now = kNow + 2'000;
    Event e;
    e.seq = hub.lastSeq() + 1;
    e.kind = EventKind::TxStatusChanged;
    e.summary.status = TxStatus::Failed;
    e.summary.flowName = "payment";
    e.summary.createdMs = kNow;
    e.summary.finishedMs = kNow + 1'500;
    hub.publish({e});
    ASSERT_TRUE(history.readEvents().ok());
    ASSERT_TRUE(history.readEvents().ok());
    History live = history.query({300'000, 5'000, 10});
    ASSERT_EQ(live.points.size(), 60u);
    EXPECT_EQ(live.points.back().failed, 1);
    EXPECT_EQ(live.points.back().p99Ms, 2'000);
    EXPECT_EQ(history.query({3'600'000, 60'000, 10}).flows[0].failed, 21);
}

TEST_F(DashboardHistoryTest, countsCallsPerParticipantAndSamplesInFlightAndStuck)
{
    store("running", TxStatus::Submitted, kNow - 1'000, 0, "payment");
    store("stuck", TxStatus::Aborting, kNow - 900'000, 0, "payment", "REPEATED_ERROR");
    coord::engine::EventHub hub(*m_store->lastSeq());
    DashboardHistory history(*m_store, hub, [this] { return m_now; });
    history.attemptFinished(OpKind::Action, AttemptOutcome::Failure, 3,
                            "http://bank.internal:8081/api/TransOut");
    history.attemptFinished(OpKind::Compensate, AttemptOutcome::Transient, 3,
                            "http://bank.internal:8081/api/TransOutCompensate");
    history.attemptFinished(OpKind::Try, AttemptOutcome::Success, 3,
                            "grpc://stock:9000/stock.Stock/Try");
    history.attemptFinished(OpKind::Action, AttemptOutcome::Success, 3, "sim://mailer?latency=5");
    ASSERT_TRUE(history.sampleCounts().ok());

    const History h = history.query({300'000, 5'000, 10});
    ASSERT_EQ(h.participants.size(), 3u);
    EXPECT_EQ(h.participants[0].host, "bank.internal:8081");
    EXPECT_EQ(h.participants[0].attempts, 2);
    EXPECT_EQ(h.participants[0].errors, 2);
    EXPECT_EQ(h.participants[0].businessFailures, 1);
    EXPECT_EQ(h.participants[1].host, "sim://mailer");  // no errors: by name
    EXPECT_EQ(h.participants[2].host, "stock:9000");
    EXPECT_EQ(h.points.back().inFlight, 2);
    EXPECT_EQ(h.points.back().stuck, 1);
    EXPECT_EQ(h.points.front().inFlight, -1) << "before the first sample: unknown, not 0";
}

// Its own thread reads the stream while the engine's threads report calls and the API's ask:
// the counts add up (and TSan, which runs this test, sees no race).
TEST_F(DashboardHistoryTest, followsTheStreamOnItsThreadWhileCallsAreCountedAndQueriesAnswered)
{
    coord::engine::EventHub hub(*m_store->lastSeq());
    std::atomic<int64_t> now{kNow};
    DashboardHistory history(*m_store, hub, [&now] { return now.load(); });
    history.start();
    std::thread calls([&] {
        for (int i = 0; i < 2000; ++i)
            history.attemptFinished(OpKind::Action, AttemptOutcome::Transient, 1,
                                    "http://flaky:80/x");
    });
    std::thread asks([&] {
        for (int i = 0; i < 200; ++i)
            history.query({300'000, 5'000, 10});
    });
    for (int i = 0; i < 500; ++i) {
        Event e;
        e.seq = hub.lastSeq() + 1;
        e.kind = EventKind::TxStatusChanged;
        e.summary.status = TxStatus::Succeeded;
        e.summary.createdMs = kNow - 10;
        e.summary.finishedMs = kNow;
        hub.publish({e});
    }
    calls.join();
    asks.join();
    int64_t succeeded = 0;
    for (int tries = 0; tries < 100 && succeeded < 500; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        succeeded = history.query({300'000, 5'000, 10}).points.back().succeeded;
    }
    history.stop();
    EXPECT_EQ(succeeded, 500);
    const History h = history.query({300'000, 5'000, 10});
    ASSERT_EQ(h.participants.size(), 1u);
    EXPECT_EQ(h.participants[0].errors, 2000);
}

}  // namespace
