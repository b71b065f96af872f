// The SQLite store on real files: schema, reads, guarded writes, events, leases.
#include "storage/sqlitestore.h"
#include "support/childprocess.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace coord::domain;
using coord::storage::SqliteStore;
using coord::storage::TxWrite;

namespace {

class SqliteStoreTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = testsupport::makeTempDir("txdesk-store");
        m_path = m_dir + "/coordinator.db";
        auto store = SqliteStore::open(m_path);
        ASSERT_TRUE(store.ok()) << store.status();
        m_store = std::move(*store);
    }
    void TearDown() override
    {
        m_store.reset();
        std::filesystem::remove_all(m_dir);
    }

    static Transaction saga(const std::string &gid, int64_t createdMs)
    {
        Transaction tx;
        tx.summary.gid = gid;
        tx.summary.type = TxType::Saga;
        tx.summary.status = TxStatus::Submitted;
        tx.summary.flowName = "transfer";
        tx.summary.businessKey = "order-" + gid;
        tx.summary.createdMs = tx.summary.updatedMs = createdMs;
        for (const char *id : {"out", "in"}) {
            Branch b;
            b.id = id;
            b.name = std::string("branch ") + id;
            b.payload = R"({"amount":30})";
            if (b.id == "in")
                b.after = {"out"};
            b.ops = {{OpKind::Action, "sim://a", OpStatus::Pending, 0, {}},
                     {OpKind::Compensate, "sim://c", OpStatus::Pending, 0, {}}};
            tx.branches.push_back(b);
        }
        return tx;
    }

    TxWrite insertWrite(const Transaction &tx)
    {
        TxWrite w;
        w.gid = tx.summary.gid;
        w.insert = tx;
        Event e;
        e.kind = EventKind::TxCreated;
        e.summary = tx.summary;
        w.events.push_back(e);
        return w;
    }

    std::string m_dir;
    std::string m_path;
    std::unique_ptr<SqliteStore> m_store;
};

TEST_F(SqliteStoreTest, freshDatabaseListsNothing)
{
    auto page = m_store->list({});
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_TRUE(page->transactions.empty());
    EXPECT_EQ(page->nextCursor, 0);
    EXPECT_EQ(page->lastSeq, 0);
    EXPECT_TRUE(absl::IsNotFound(m_store->get("nope").status()));
}

TEST_F(SqliteStoreTest, insertedTransactionReadsBackWithBranchesAndSurvivesReopen)
{
    std::vector<TxWrite> writes{insertWrite(saga("g1", 1000))};
    auto results = m_store->commit(writes);
    ASSERT_TRUE(results[0].status.ok()) << results[0].status;
    ASSERT_EQ(results[0].events.size(), 1u);
    EXPECT_EQ(results[0].events[0].seq, 1);

    m_store.reset();
    auto reopened = SqliteStore::open(m_path);  // migrations run again: a no-op
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    m_store = std::move(*reopened);

    auto tx = m_store->get("g1");
    ASSERT_TRUE(tx.ok()) << tx.status();
    EXPECT_EQ(tx->summary.status, TxStatus::Submitted);
    EXPECT_EQ(tx->summary.businessKey, "order-g1");
    EXPECT_EQ(tx->summary.lastSeq, 1);
    ASSERT_EQ(tx->branches.size(), 2u);
    EXPECT_EQ(tx->branches[0].id, "out");
    EXPECT_EQ(tx->branches[1].after, std::vector<std::string>{"out"});
    EXPECT_EQ(tx->branches[1].payload, R"({"amount":30})");
    ASSERT_EQ(tx->branches[0].ops.size(), 2u);
    EXPECT_EQ(tx->branches[0].ops[1].op, OpKind::Compensate);
    EXPECT_EQ(*m_store->lastSeq(), 1);
}

TEST_F(SqliteStoreTest, duplicateGidIsRejectedWithoutTouchingTheOthersInTheBatch)
{
    std::vector<TxWrite> first{insertWrite(saga("dup", 1))};
    ASSERT_TRUE(m_store->commit(first)[0].status.ok());
    std::vector<TxWrite> batch{insertWrite(saga("dup", 2)), insertWrite(saga("other", 3))};
    auto results = m_store->commit(batch);
    EXPECT_TRUE(absl::IsAlreadyExists(results[0].status)) << results[0].status;
    ASSERT_TRUE(results[1].status.ok()) << results[1].status;
    EXPECT_EQ(results[1].events[0].seq, 2) << "a failed write must not consume sequence numbers";
    EXPECT_EQ(m_store->get("dup")->summary.createdMs, 1);
}

TEST_F(SqliteStoreTest, statusGuardRefusesStaleWritesAndKeepsNothingOfThem)
{
    std::vector<TxWrite> init{insertWrite(saga("g", 1))};
    ASSERT_TRUE(m_store->commit(init)[0].status.ok());

    TxWrite stale;
    stale.gid = "g";
    stale.summary = m_store->get("g")->summary;
    stale.summary->status = TxStatus::Succeeded;
    stale.expectStatus = TxStatus::Aborting;  // it is SUBMITTED
    stale.ops.push_back({"out", OpKind::Action, OpStatus::Succeeded, 1});
    Event e;
    e.kind = EventKind::TxStatusChanged;
    stale.events.push_back(e);
    std::vector<TxWrite> batch{stale};
    auto results = m_store->commit(batch);
    EXPECT_TRUE(absl::IsFailedPrecondition(results[0].status)) << results[0].status;

    auto tx = m_store->get("g");
    EXPECT_EQ(tx->summary.status, TxStatus::Submitted);
    EXPECT_EQ(tx->branches[0].ops[0].status, OpStatus::Pending);
    EXPECT_EQ(*m_store->lastSeq(), 1);
    EXPECT_EQ(m_store->eventsAfter(0, 100)->size(), 1u);
}

TEST_F(SqliteStoreTest, attemptsAndOperationStatusAreRecorded)
{
    std::vector<TxWrite> init{insertWrite(saga("g", 1))};
    ASSERT_TRUE(m_store->commit(init)[0].status.ok());
    TxWrite w;
    w.gid = "g";
    w.ops.push_back({"out", OpKind::Action, OpStatus::Succeeded, 2});
    Attempt a1{10, 20, AttemptOutcome::Transient, 503, "service unavailable", "busy"};
    Attempt a2{30, 35, AttemptOutcome::Success, 200, "", "{\"ok\":true}"};
    w.attempts.push_back({"out", OpKind::Action, a1});
    w.attempts.push_back({"out", OpKind::Action, a2});
    std::vector<TxWrite> batch{w};
    ASSERT_TRUE(m_store->commit(batch)[0].status.ok());
    auto tx = m_store->get("g");
    const Operation *op = tx->findBranch("out")->find(OpKind::Action);
    ASSERT_NE(op, nullptr);
    EXPECT_EQ(op->status, OpStatus::Succeeded);
    EXPECT_EQ(op->attemptCount, 2);
    ASSERT_EQ(op->attempts.size(), 2u);
    EXPECT_EQ(op->attempts[0].statusCode, 503);
    EXPECT_EQ(op->attempts[0].error, "service unavailable");
    EXPECT_EQ(op->attempts[1].responseExcerpt, "{\"ok\":true}");
}

TEST_F(SqliteStoreTest, listFiltersAndPagesNewestFirst)
{
    std::vector<TxWrite> batch;
    for (int i = 0; i < 25; ++i) {
        Transaction tx = saga("gid-" + std::to_string(i), 1000 + i);
        if (i % 5 == 0)
            tx.summary.status = TxStatus::Failed;
        batch.push_back(insertWrite(tx));
    }
    for (const auto &r : m_store->commit(batch))
        ASSERT_TRUE(r.status.ok()) << r.status;

    ListQuery q;
    q.limit = 10;
    auto p1 = m_store->list(q);
    ASSERT_TRUE(p1.ok());
    ASSERT_EQ(p1->transactions.size(), 10u);
    EXPECT_EQ(p1->transactions.front().gid, "gid-24");
    EXPECT_EQ(p1->lastSeq, 25);
    q.cursor = p1->nextCursor;
    auto p2 = m_store->list(q);
    EXPECT_EQ(p2->transactions.front().gid, "gid-14");
    q.cursor = p2->nextCursor;
    auto p3 = m_store->list(q);
    EXPECT_EQ(p3->transactions.size(), 5u);
    EXPECT_EQ(p3->nextCursor, 0);

    ListQuery failed;
    failed.statuses = {TxStatus::Failed};
    EXPECT_EQ(m_store->list(failed)->transactions.size(), 5u);

    ListQuery text;
    text.text = "order-gid-1";  // business keys order-gid-1 and order-gid-10..19
    EXPECT_EQ(m_store->list(text)->transactions.size(), 11u);

    ListQuery wildcard;
    wildcard.text = "%";  // literal, not a LIKE wildcard
    EXPECT_TRUE(m_store->list(wildcard)->transactions.empty());

    ListQuery range;
    range.createdAfterMs = 1010;
    range.createdBeforeMs = 1012;
    EXPECT_EQ(m_store->list(range)->transactions.size(), 2u);
}

TEST_F(SqliteStoreTest, eventsReplayInSequenceOrder)
{
    std::vector<TxWrite> batch{insertWrite(saga("a", 1)), insertWrite(saga("b", 2))};
    m_store->commit(batch);
    auto events = m_store->eventsAfter(0, 100);
    ASSERT_TRUE(events.ok());
    ASSERT_EQ(events->size(), 2u);
    EXPECT_EQ((*events)[0].seq, 1);
    EXPECT_EQ((*events)[0].summary.gid, "a");
    EXPECT_EQ((*events)[1].summary.gid, "b");
    EXPECT_EQ(m_store->eventsAfter(1, 100)->size(), 1u);
    EXPECT_TRUE(m_store->eventsAfter(2, 100)->empty());
}

TEST_F(SqliteStoreTest, leaseIsExclusiveUntilItExpires)
{
    std::vector<TxWrite> batch{insertWrite(saga("due", 1))};
    m_store->commit(batch);
    auto a = m_store->claimDue("instance-a", 5000, 1000, 10);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(*a, std::vector<std::string>{"due"});
    EXPECT_TRUE(m_store->claimDue("instance-b", 5500, 1000, 10)->empty());
    EXPECT_EQ(*m_store->claimDue("instance-b", 6001, 1000, 10), std::vector<std::string>{"due"});
    EXPECT_EQ(m_store->get("due")->summary.owner, "instance-b");
}

TEST_F(SqliteStoreTest, unwritableLocationGivesAClearError)
{
    auto store = SqliteStore::open("/proc/txdesk-cannot-exist/x.db");
    ASSERT_FALSE(store.ok());
    EXPECT_NE(std::string(store.status().message()).find("/proc/txdesk-cannot-exist/x.db"),
              std::string::npos)
        << store.status();
}

}  // namespace

namespace {

TEST_F(SqliteStoreTest, aLongAttemptHistoryCanBeReadTrimmed)
{
    std::vector<TxWrite> init{insertWrite(saga("long", 1))};
    ASSERT_TRUE(m_store->commit(init)[0].status.ok());
    TxWrite w;
    w.gid = "long";
    w.ops.push_back({"out", OpKind::Action, OpStatus::Pending, 300});
    for (int i = 0; i < 300; ++i)
        w.attempts.push_back({"out", OpKind::Action, {i, i + 1, AttemptOutcome::Ongoing, 425, "ONGOING", ""}});
    w.attempts.push_back({"in", OpKind::Action, {5, 6, AttemptOutcome::Success, 200, "", ""}});
    std::vector<TxWrite> batch{w};
    ASSERT_TRUE(m_store->commit(batch)[0].status.ok());
    auto all = m_store->get("long");
    EXPECT_EQ(all->findBranch("out")->find(OpKind::Action)->attempts.size(), 300u);
    auto trimmed = m_store->get("long", 10);
    const Operation *out = trimmed->findBranch("out")->find(OpKind::Action);
    ASSERT_EQ(out->attempts.size(), 10u);
    EXPECT_EQ(out->attempts.front().startedMs, 290) << "the newest ten, oldest first";
    EXPECT_EQ(out->attemptCount, 300);
    EXPECT_EQ(trimmed->findBranch("in")->find(OpKind::Action)->attempts.size(), 1u);
}

}  // namespace
