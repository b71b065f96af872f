// The Store contract, on every store (SQLite on a real file, PostgreSQL on a real server):
// schema, reads, guarded writes, events, leases, audit. Both must answer alike.
#include "storefactory.h"

#include <gtest/gtest.h>

#include <thread>

using namespace coord::domain;
using coord::storage::Store;
using coord::storage::TxWrite;
using testsupport::StoreFactory;

namespace {

class StoreContractTest : public ::testing::TestWithParam<std::string>
{
protected:
    void SetUp() override
    {
        if (GetParam() == "sqlite") {
            m_factory = StoreFactory::sqlite();
        } else {
            std::string why;
            m_factory = StoreFactory::postgres(&why);
            if (!m_factory)
                GTEST_SKIP() << why;
        }
        auto store = m_factory->open();
        ASSERT_TRUE(store.ok()) << store.status();
        m_store = std::move(*store);
    }
    void TearDown() override
    {
        m_store.reset();
        m_factory.reset();
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

    void commitOk(std::vector<TxWrite> writes)
    {
        for (const auto &r : m_store->commit(writes))
            ASSERT_TRUE(r.status.ok()) << r.status;
    }

    std::unique_ptr<StoreFactory> m_factory;
    std::unique_ptr<Store> m_store;
};

INSTANTIATE_TEST_SUITE_P(Stores, StoreContractTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto &info) { return info.param; });

TEST_P(StoreContractTest, freshDatabaseListsNothing)
{
    auto page = m_store->list({});
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_TRUE(page->transactions.empty());
    EXPECT_EQ(page->nextCursor, 0);
    EXPECT_EQ(page->lastSeq, 0);
    EXPECT_TRUE(absl::IsNotFound(m_store->get("nope").status()));
}

TEST_P(StoreContractTest, insertedTransactionReadsBackWithBranchesAndSurvivesReopen)
{
    std::vector<TxWrite> writes{insertWrite(saga("g1", 1000))};
    auto results = m_store->commit(writes);
    ASSERT_TRUE(results[0].status.ok()) << results[0].status;
    ASSERT_EQ(results[0].events.size(), 1u);
    EXPECT_EQ(results[0].events[0].seq, 1);

    m_store.reset();
    auto reopened = m_factory->open();  // migrations run again: a no-op
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

TEST_P(StoreContractTest, duplicateGidIsRejectedWithoutTouchingTheOthersInTheBatch)
{
    std::vector<TxWrite> first{insertWrite(saga("dup", 1))};
    ASSERT_TRUE(m_store->commit(first)[0].status.ok());
    std::vector<TxWrite> batch{insertWrite(saga("dup", 2)), insertWrite(saga("other", 3))};
    auto results = m_store->commit(batch);
    EXPECT_TRUE(absl::IsAlreadyExists(results[0].status)) << results[0].status;
    ASSERT_TRUE(results[1].status.ok()) << results[1].status;
    EXPECT_EQ(results[1].events[0].seq, 2) << "a failed write must not consume sequence numbers";
    EXPECT_EQ(m_store->get("dup")->summary.createdMs, 1);
    EXPECT_EQ(m_store->get("other")->summary.lastSeq, 2);
    EXPECT_EQ(*m_store->lastSeq(), 2);

    // A failed write in the middle of a batch: the ones before and after it are stored, in order.
    std::vector<TxWrite> middle{insertWrite(saga("m1", 4)), insertWrite(saga("dup", 5)),
                                insertWrite(saga("m2", 6))};
    auto mixed = m_store->commit(middle);
    ASSERT_TRUE(mixed[0].status.ok()) << mixed[0].status;
    EXPECT_TRUE(absl::IsAlreadyExists(mixed[1].status)) << mixed[1].status;
    ASSERT_TRUE(mixed[2].status.ok()) << mixed[2].status;
    EXPECT_EQ(mixed[0].events[0].seq, 3);
    EXPECT_EQ(mixed[2].events[0].seq, 4);
    EXPECT_EQ(m_store->get("m2")->summary.lastSeq, 4);
    EXPECT_EQ(*m_store->lastSeq(), 4);
}

TEST_P(StoreContractTest, aLargeMixedBatchIsStoredAsIfWrittenOneByOne)
{
    std::vector<TxWrite> init{insertWrite(saga("early", 1))};
    ASSERT_TRUE(m_store->commit(init)[0].status.ok());

    // More new transactions than one INSERT carries, the end of one inserted before them, and
    // one inserted and finished in the same batch.
    auto finish = [](const std::string &gid, TxStatus from) {
        TxWrite w;
        w.gid = gid;
        w.summary = TxSummary{};
        w.summary->gid = gid;
        w.summary->status = TxStatus::Succeeded;
        w.expectStatus = from;
        w.ops.push_back({"out", OpKind::Action, OpStatus::Succeeded, 1});
        w.ops.push_back({"in", OpKind::Action, OpStatus::Succeeded, 1});
        w.attempts.push_back({"out", OpKind::Action, {5, 6, AttemptOutcome::Success, 200, "", ""}});
        w.attempts.push_back({"in", OpKind::Action, {7, 8, AttemptOutcome::Success, 200, "", ""}});
        Event e;
        e.kind = EventKind::TxStatusChanged;
        w.events.push_back(e);
        w.events.push_back(e);
        return w;
    };
    std::vector<TxWrite> batch{finish("early", TxStatus::Submitted)};
    for (int i = 0; i < 20; ++i)
        batch.push_back(insertWrite(saga("n" + std::to_string(i), 10 + i)));
    batch.push_back(finish("n3", TxStatus::Submitted));
    auto results = m_store->commit(batch);
    int64_t seq = 1;
    for (size_t i = 0; i < results.size(); ++i) {
        ASSERT_TRUE(results[i].status.ok()) << i << ": " << results[i].status;
        for (const Event &e : results[i].events)
            EXPECT_EQ(e.seq, ++seq) << "events are numbered in write order";
    }
    EXPECT_EQ(*m_store->lastSeq(), 1 + 2 + 20 + 2);

    auto early = m_store->get("early");
    EXPECT_EQ(early->summary.status, TxStatus::Succeeded);
    EXPECT_EQ(early->summary.lastSeq, 3);
    EXPECT_EQ(early->findBranch("in")->find(OpKind::Action)->attempts.size(), 1u);
    auto n3 = m_store->get("n3");
    EXPECT_EQ(n3->summary.status, TxStatus::Succeeded);
    EXPECT_EQ(n3->summary.lastSeq, 25);
    EXPECT_EQ(n3->findBranch("out")->find(OpKind::Action)->status, OpStatus::Succeeded);
    EXPECT_EQ(n3->findBranch("out")->find(OpKind::Compensate)->status, OpStatus::Pending);
    for (int i = 0; i < 20; ++i) {
        auto tx = m_store->get("n" + std::to_string(i));
        ASSERT_TRUE(tx.ok()) << i << ": " << tx.status();
        EXPECT_EQ(tx->branches.size(), 2u);
        EXPECT_EQ(tx->branches[1].after, std::vector<std::string>{"out"});
        if (i != 3) {
            EXPECT_EQ(tx->summary.lastSeq, 4 + i);
        }
    }
    EXPECT_EQ(m_store->eventsAfter(0, 100)->size(), 25u);
}

TEST_P(StoreContractTest, statusGuardRefusesStaleWritesAndKeepsNothingOfThem)
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

TEST_P(StoreContractTest, attemptsAndOperationStatusAreRecorded)
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

TEST_P(StoreContractTest, listFiltersAndPagesNewestFirst)
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

TEST_P(StoreContractTest, eventsReplayInSequenceOrder)
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

TEST_P(StoreContractTest, leaseIsExclusiveUntilItExpires)
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

TEST_P(StoreContractTest, aLongAttemptHistoryCanBeReadTrimmed)
{
    std::vector<TxWrite> init{insertWrite(saga("long", 1))};
    ASSERT_TRUE(m_store->commit(init)[0].status.ok());
    TxWrite w;
    w.gid = "long";
    w.ops.push_back({"out", OpKind::Action, OpStatus::Pending, 300});
    for (int i = 0; i < 300; ++i)
        w.attempts.push_back(
            {"out", OpKind::Action, {i, i + 1, AttemptOutcome::Ongoing, 425, "ONGOING", ""}});
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

TEST_P(StoreContractTest, claimRefusesWithTheReasonAndReleaseMakesOwnedWorkDueAtOnce)
{
    Transaction done = saga("done", 2);
    done.summary.status = TxStatus::Succeeded;
    commitOk({insertWrite(saga("g", 1)), insertWrite(done)});

    EXPECT_TRUE(absl::IsNotFound(m_store->claim("nope", "a", 1000, 500)));
    ASSERT_TRUE(m_store->claim("g", "a", 1000, 500).ok());
    ASSERT_TRUE(m_store->claim("g", "a", 1100, 500).ok()) << "the holder may renew";
    auto refused = m_store->claim("g", "b", 1200, 500);
    EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
    EXPECT_NE(std::string(refused.message()).find("being processed by a"), std::string::npos)
        << refused;
    auto finished = m_store->claim("done", "a", 1200, 500);
    EXPECT_NE(std::string(finished.message()).find("already SUCCEEDED"), std::string::npos)
        << finished;

    EXPECT_EQ(*m_store->releaseOwned("b", 1300), 0);
    EXPECT_EQ(*m_store->releaseOwned("a", 1300), 1);
    EXPECT_EQ(*m_store->claimDue("b", 1300, 500, 10), std::vector<std::string>{"g"});
}

TEST_P(StoreContractTest, ownerGuardRefusesTheWritesOfAnInstanceThatLostItsLease)
{
    commitOk({insertWrite(saga("g", 1))});
    ASSERT_EQ(m_store->claimDue("b", 5000, 1000, 10)->size(), 1u);
    TxWrite w;
    w.gid = "g";
    w.summary = m_store->get("g")->summary;
    w.summary->status = TxStatus::Succeeded;
    w.expectOwner = "a";
    w.events.push_back(Event{});
    std::vector<TxWrite> batch{w};
    auto r = m_store->commit(batch);
    EXPECT_TRUE(absl::IsFailedPrecondition(r[0].status)) << r[0].status;
    EXPECT_EQ(m_store->get("g")->summary.status, TxStatus::Submitted);
    EXPECT_EQ(*m_store->lastSeq(), 1);
}

TEST_P(StoreContractTest, auditIsAppendedWithTheChangeAndListedNewestFirst)
{
    commitOk({insertWrite(saga("g", 1))});
    for (int i = 0; i < 3; ++i) {
        TxWrite w;  // audit alone: an empty gid
        AuditEntry a;
        a.atMs = 100 + i;
        a.who = "ops";
        a.role = "operator";
        a.action = "retry";
        a.gid = i == 1 ? "g" : "other";
        a.reason = "reason " + std::to_string(i);
        a.detail = "detail";
        w.audit.push_back(a);
        commitOk({w});
    }
    auto all = m_store->listAudit({});
    ASSERT_TRUE(all.ok()) << all.status();
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ(all->front().reason, "reason 2");
    EXPECT_EQ(all->front().detail, "detail");
    EXPECT_EQ(m_store->listAudit({"g", 0, 10})->size(), 1u);
    EXPECT_EQ(m_store->listAudit({"", all->front().id, 10})->size(), 2u);
    EXPECT_EQ(m_store->listAudit({"", 0, 1})->size(), 1u);
}

TEST_P(StoreContractTest, unfinishedAreCountedPerStuckReason)
{
    Transaction stuck = saga("stuck", 1);
    stuck.summary.stuckReason = "participant_unreachable";
    Transaction done = saga("done", 2);
    done.summary.status = TxStatus::Failed;
    done.summary.stuckReason = "participant_unreachable";
    commitOk({insertWrite(saga("fine", 3)), insertWrite(stuck), insertWrite(done)});
    auto counts = m_store->unfinishedByStuckReason();
    ASSERT_TRUE(counts.ok()) << counts.status();
    EXPECT_EQ(*counts, (std::map<std::string, int64_t>{{"", 1}, {"participant_unreachable", 1}}));
    ListQuery q;
    q.stuckOnly = true;
    EXPECT_EQ(m_store->list(q)->transactions.size(), 2u);
}

TEST_P(StoreContractTest, bytesThatAreNotTextRoundTripUnchanged)
{
    const std::string binary("\x00\xff\xfe raw \x80", 9);
    Transaction tx = saga("bin", 1);
    tx.branches[0].payload = binary;
    commitOk({insertWrite(tx)});
    TxWrite w;
    w.gid = "bin";
    w.attempts.push_back({"out",
                          OpKind::Action,
                          {1, 2, AttemptOutcome::Transient, 500, "bad \xc3", "excerpt \xff"}});
    Event e;
    e.kind = EventKind::AttemptFinished;
    e.message = "cut in the middle of a character \xe2\x82";
    w.events.push_back(e);
    commitOk({w});
    auto got = m_store->get("bin");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->branches[0].payload, binary);
    const auto &attempt = got->findBranch("out")->find(OpKind::Action)->attempts.at(0);
    EXPECT_EQ(attempt.error, "bad \xc3");
    EXPECT_EQ(attempt.responseExcerpt, "excerpt \xff");
    EXPECT_EQ(m_store->eventsAfter(1, 10)->at(0).message, e.message);
    EXPECT_EQ(got->summary.lastSeq, 2) << "an event alone still advances the transaction";
}

TEST_P(StoreContractTest, registeredBranchesFollowTheExistingOnesAndRejectDuplicates)
{
    commitOk({insertWrite(saga("g", 1))});
    TxWrite w;
    w.gid = "g";
    Branch extra;
    extra.id = "fee";
    extra.ops = {{OpKind::Confirm, "http://x/confirm", OpStatus::Pending, 0, {}}};
    w.addBranches.push_back(extra);
    commitOk({w});
    auto tx = m_store->get("g");
    ASSERT_EQ(tx->branches.size(), 3u);
    EXPECT_EQ(tx->branches[2].id, "fee");
    EXPECT_EQ(tx->summary.branchCount, 3);
    std::vector<TxWrite> again{w};
    EXPECT_TRUE(absl::IsAlreadyExists(m_store->commit(again)[0].status));
    w.ops.push_back({"ghost", OpKind::Action, OpStatus::Succeeded, 1});
    w.addBranches.clear();
    std::vector<TxWrite> ghost{w};
    EXPECT_TRUE(absl::IsNotFound(m_store->commit(ghost)[0].status));
}

TEST_P(StoreContractTest, concurrentCommitsGetGapFreeSequenceNumbers)
{
    constexpr int kThreads = 4, kCommits = 25;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCommits; ++i) {
                std::string gid = "c" + std::to_string(t) + "-" + std::to_string(i);
                std::vector<TxWrite> batch{insertWrite(saga(gid, i)),
                                           insertWrite(saga(gid, i))};  // second: a duplicate
                m_store->commit(batch);
            }
        });
    for (auto &t : threads)
        t.join();
    auto events = m_store->eventsAfter(0, 10000);
    ASSERT_TRUE(events.ok()) << events.status();
    ASSERT_EQ(events->size(), size_t{kThreads * kCommits});
    for (size_t i = 0; i < events->size(); ++i)
        ASSERT_EQ((*events)[i].seq, int64_t(i + 1));
    EXPECT_EQ(*m_store->lastSeq(), kThreads * kCommits);
}

}  // namespace
