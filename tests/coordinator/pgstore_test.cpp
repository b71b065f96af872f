// What only the PostgreSQL store has: a server that may be missing, and several coordinator
// instances (here: several stores) on one database at the same time.
#include "storage/postgres/pgstore.h"
#include "storefactory.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

using namespace coord::domain;
using coord::storage::PgStore;
using coord::storage::TxWrite;
using testsupport::PostgresSchema;

namespace {

TEST(PgStoreTest, malformedUrlIsRejectedNamingItWithoutThePassword)
{
    auto store = PgStore::open("postgresql://admin:hunter2@host/db?no_such_option=1");
    ASSERT_FALSE(store.ok());
    const std::string message(store.status().message());
    EXPECT_TRUE(absl::IsInvalidArgument(store.status())) << message;
    EXPECT_NE(message.find("no_such_option"), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

TEST(PgStoreTest, serverThatIsDownGivesUnavailableNamingTheServer)
{
    auto store = PgStore::open("postgresql://admin:hunter2@127.0.0.1:1/db");
    ASSERT_FALSE(store.ok());
    const std::string message(store.status().message());
    EXPECT_TRUE(absl::IsUnavailable(store.status())) << message;
    EXPECT_NE(message.find("127.0.0.1:1"), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

class SharedPgStoreTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        if (!m_schema.ok())
            GTEST_SKIP() << m_schema.error();
        for (auto *store : {&m_a, &m_b}) {
            auto opened = PgStore::open(m_schema.url());
            ASSERT_TRUE(opened.ok()) << opened.status();
            *store = std::move(*opened);
        }
    }

    static TxWrite insert(const std::string &gid)
    {
        TxWrite w;
        w.gid = gid;
        w.insert = Transaction{};
        w.insert->summary.gid = gid;
        w.insert->summary.type = TxType::Saga;
        w.insert->summary.status = TxStatus::Submitted;
        Branch b;
        b.id = "only";
        b.ops = {{OpKind::Action, "sim://a", OpStatus::Pending, 0, {}}};
        w.insert->branches.push_back(b);
        Event e;
        e.kind = EventKind::TxCreated;
        w.events = {e, e};
        return w;
    }

    PostgresSchema m_schema;
    std::unique_ptr<PgStore> m_a, m_b;
};

TEST_F(SharedPgStoreTest, instancesCommittingAtOnceGetGapFreeSeqsVisibleInOrder)
{
    constexpr int kWriters = 4, kCommits = 40;
    std::atomic<bool> done{false};
    std::atomic<int> holes{0}, checks{0};
    // The promise Watch resumes on: whoever sees lastSeq = N can read every seq up to N.
    std::thread reader([&] {
        while (!done) {
            auto last = m_b->lastSeq();
            auto events = m_b->eventsAfter(0, 10000);
            if (!last.ok() || !events.ok())
                continue;
            ++checks;
            for (int64_t i = 0; i < *last; ++i)
                if (i >= int64_t(events->size()) || (*events)[i].seq != i + 1) {
                    ++holes;
                    break;
                }
        }
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < kWriters; ++t)
        writers.emplace_back([&, t] {
            PgStore &store = t % 2 ? *m_a : *m_b;
            for (int i = 0; i < kCommits; ++i) {
                std::vector<TxWrite> batch{
                    insert("w" + std::to_string(t) + "-" + std::to_string(i)),
                    insert("w0-0")};  // a duplicate consumes nothing
                store.commit(batch);
            }
        });
    for (auto &w : writers)
        w.join();
    done = true;
    reader.join();
    auto events = m_a->eventsAfter(0, 10000);
    ASSERT_TRUE(events.ok()) << events.status();
    ASSERT_EQ(events->size(), size_t{2 * kWriters * kCommits});
    for (size_t i = 0; i < events->size(); ++i)
        ASSERT_EQ((*events)[i].seq, int64_t(i + 1));
    EXPECT_EQ(*m_a->lastSeq(), *m_b->lastSeq());
    EXPECT_EQ(holes, 0) << "a reader saw lastSeq before every seq below it (" << checks
                        << " checks)";
    EXPECT_GT(checks, 0);
}

TEST_F(SharedPgStoreTest, claimDueNeverHandsOneTransactionToTwoInstances)
{
    std::vector<TxWrite> batch;
    for (int i = 0; i < 200; ++i)
        batch.push_back(insert("due-" + std::to_string(i)));
    for (const auto &r : m_a->commit(batch))
        ASSERT_TRUE(r.status.ok()) << r.status;
    std::mutex mutex;
    std::map<std::string, std::string> owners;
    std::atomic<int> doubles{0};
    std::vector<std::thread> claimers;
    for (int t = 0; t < 4; ++t)
        claimers.emplace_back([&, t] {
            PgStore &store = t % 2 ? *m_a : *m_b;
            const std::string owner = "instance-" + std::to_string(t);
            for (;;) {
                auto got = store.claimDue(owner, 1000, 60000, 7);
                if (!got.ok() || got->empty())
                    return;
                {
                    std::lock_guard lock(mutex);
                    for (const auto &gid : *got)
                        doubles += !owners.emplace(gid, owner).second;
                }
                // Finish them, as the engine would, guarded by the lease.
                std::vector<TxWrite> finish;
                for (const auto &gid : *got) {
                    TxWrite w;
                    w.gid = gid;
                    w.summary = store.get(gid)->summary;
                    w.summary->status = TxStatus::Succeeded;
                    w.expectStatus = TxStatus::Submitted;
                    w.expectOwner = owner;
                    finish.push_back(std::move(w));
                }
                for (const auto &r : store.commit(finish))
                    if (!r.status.ok())
                        ++doubles;
            }
        });
    for (auto &c : claimers)
        c.join();
    EXPECT_EQ(doubles, 0);
    EXPECT_EQ(owners.size(), 200u);
    EXPECT_EQ(m_b->get("due-7")->summary.owner, owners["due-7"]);
}

TEST_F(SharedPgStoreTest, anInstanceWaitingForCommitsWakesWhenAnotherCommits)
{
    m_b->waitForCommits(1);  // now listening
    std::atomic<bool> woke{false};
    auto started = std::chrono::steady_clock::now();
    std::thread waiter([&] {
        m_b->waitForCommits(10000);
        woke = true;
    });
    std::vector<TxWrite> batch{insert("wake")};
    ASSERT_TRUE(m_a->commit(batch)[0].status.ok());
    waiter.join();
    EXPECT_TRUE(woke);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5))
        << "woken by the notification, not by the timeout";
}

}  // namespace
