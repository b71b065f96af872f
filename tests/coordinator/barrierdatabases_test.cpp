// The consistency inspector and prune-barrier over the three databases DTM-style services keep
// their barrier in. The rows are the HTTP bank's, written by real transfers through the engine;
// for PostgreSQL and MariaDB they are copied into DTM's own barrier table (its DDL) on the
// private servers scripts/test starts, then damaged there on purpose.
#include "barriertables.h"
#include "barrier/readonlyquery.h"
#include "engineharness.h"

#include <set>

namespace {

using coord::barrier::Access;
using coord::barrier::FindingKind;
using testsupport::BarrierDb;

class BarrierDatabaseTest : public testsupport::EngineHarness,
                            public ::testing::WithParamInterface<BarrierDb>
{
protected:
    void SetUp() override
    {
        EngineHarness::SetUp();
        m_db = std::make_unique<testsupport::BarrierDatabase>(GetParam(), m_dir + "/bank.db");
        if (m_db->skipped())
            GTEST_SKIP() << m_db->error();
        ASSERT_TRUE(m_db->ok()) << m_db->error();
    }
    void TearDown() override
    {
        m_db.reset();
        EngineHarness::TearDown();
    }

    std::unique_ptr<coord::barrier::BarrierTable> open(Access access = Access::ReadOnly)
    {
        auto table = coord::barrier::openBarrierTable(m_db->dsn(), m_db->table(), access);
        EXPECT_TRUE(table.ok()) << table.status();
        return table.ok() ? std::move(*table) : nullptr;
    }

    std::vector<coord::barrier::Finding> findings(bool problemsOnly = true)
    {
        std::vector<coord::barrier::Finding> out;
        auto table = open();
        if (!table)
            return out;
        coord::barrier::InspectionOptions options;
        options.pageGids = 2;  // many pages, as in a large table
        auto counts = coord::barrier::inspectTable(*table, testsupport::storeLookup(*m_store),
                                                   options, [&](const coord::barrier::Finding &f) {
                                                       if (!problemsOnly
                                                           || coord::barrier::isProblem(f.kind))
                                                           out.push_back(f);
                                                   });
        EXPECT_TRUE(counts.ok()) << counts.status();
        return out;
    }

    std::set<std::string> gidsInTable()
    {
        std::set<std::string> gids;
        auto table = open();
        auto page = table ? table->nextGids("", 10'000) : absl::InternalError("no table");
        EXPECT_TRUE(page.ok()) << page.status();
        if (page.ok())
            for (const auto &g : *page)
                gids.insert(g.gid);
        return gids;
    }

    // Three transfers that succeed, one that rolls back before anything took effect, one rolled
    // back after "out" took effect (so compensated).
    void runTransfers()
    {
        for (int i = 0; i < 3; ++i)
            ASSERT_TRUE(submit(transferSaga(10), "ok-" + std::to_string(i), true).ok());
        ASSERT_TRUE(submit(transferSaga(1000), "rolled-back", true).ok());  // A has 70: fails
        m_ledger->script("TransIn", {"FAILURE"});
        ASSERT_TRUE(submit(transferSaga(5), "compensated", true).ok());
        ASSERT_EQ(get("compensated").summary.status, coord::domain::TxStatus::Failed);
        ASSERT_EQ(get("ok-2").summary.status, coord::domain::TxStatus::Succeeded);
    }

    std::unique_ptr<testsupport::BarrierDatabase> m_db;
};

TEST_P(BarrierDatabaseTest, eachDamageIsFoundOnceWithItsFindingAndAnUndamagedTableGivesNone)
{
    runTransfers();
    ASSERT_TRUE(m_db->fillFromBank().ok());
    EXPECT_TRUE(findings().empty());
    EXPECT_EQ(gidsInTable().size(), 5u);

    ASSERT_TRUE(m_db->exec("DELETE FROM {table} WHERE gid = 'compensated' AND branch_id = 'out' "
                           "AND op = 'compensate'")
                    .ok());
    ASSERT_TRUE(m_db->exec("INSERT INTO {table} (trans_type, gid, branch_id, op, reason) VALUES "
                           "('saga', 'ok-1', 'extra', 'action', 'action')")
                    .ok());
    ASSERT_TRUE(m_db->exec("INSERT INTO {table} (trans_type, gid, branch_id, op, reason) VALUES "
                           "('tcc', 'from-elsewhere', '01', 'try', 'try')")
                    .ok());
    const auto found = findings();
    ASSERT_EQ(found.size(), 3u);
    std::map<FindingKind, coord::barrier::Finding> byKind;
    for (const auto &f : found)
        byKind[f.kind] = f;
    ASSERT_EQ(byKind.count(FindingKind::NotUndoneAfterRollback), 1u);
    EXPECT_EQ(byKind[FindingKind::NotUndoneAfterRollback].gid, "compensated");
    EXPECT_EQ(byKind[FindingKind::NotUndoneAfterRollback].branchId, "out");
    ASSERT_EQ(byKind.count(FindingKind::UnknownBranch), 1u);
    EXPECT_EQ(byKind[FindingKind::UnknownBranch].gid, "ok-1");
    EXPECT_EQ(byKind[FindingKind::UnknownBranch].branchId, "extra");
    ASSERT_EQ(byKind.count(FindingKind::UnknownGid), 1u);
    EXPECT_EQ(byKind[FindingKind::UnknownGid].gid, "from-elsewhere");
}

TEST_P(BarrierDatabaseTest, pruneDeletesOnlyGidsFinishedBeforeTheCutoffAndItsDryRunIsWhatGoes)
{
    runTransfers();
    m_ledger->script("TransIn", {"ONGOING"});  // "out" took effect; "in" waits: in flight
    ASSERT_TRUE(submit(transferSaga(1), "in-flight").ok());
    ASSERT_TRUE(settle());
    ASSERT_EQ(get("in-flight").summary.status, coord::domain::TxStatus::Submitted);
    ASSERT_TRUE(m_db->fillFromBank().ok());
    ASSERT_TRUE(m_db->exec("INSERT INTO {table} (trans_type, gid, branch_id, op, reason) VALUES "
                           "('saga', 'from-elsewhere', '01', 'action', 'action')")
                    .ok());
    auto table = open(Access::ReadWrite);
    ASSERT_TRUE(table);
    const auto lookup = testsupport::storeLookup(*m_store);

    // A cut-off before every finish: nothing goes.
    auto early = coord::barrier::planPrune(*table, lookup, get("ok-0").summary.finishedMs, 2);
    ASSERT_TRUE(early.ok()) << early.status();
    EXPECT_TRUE(early->gids.empty());
    EXPECT_GT(early->keptRecentRows, 0);

    auto plan = coord::barrier::planPrune(*table, lookup, m_clock.nowMs() + 1, 2);
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(std::set<std::string>(plan->gids.begin(), plan->gids.end()),
              (std::set<std::string>{"compensated", "ok-0", "ok-1", "ok-2", "rolled-back"}));
    EXPECT_GT(plan->keptUnfinishedRows, 0);  // the in-flight one's "out" rows
    EXPECT_EQ(plan->keptUnknownRows, 1);
    EXPECT_EQ(plan->rows + plan->keptUnfinishedRows + plan->keptUnknownRows, plan->rowsRead);
    auto deleted = coord::barrier::applyPrune(*table, *plan, 2);
    ASSERT_TRUE(deleted.ok()) << deleted.status();
    EXPECT_EQ(*deleted, plan->rows);
    EXPECT_EQ(gidsInTable(), (std::set<std::string>{"from-elsewhere", "in-flight"}));
    const auto left = findings(false);
    ASSERT_EQ(left.size(), 2u);
    std::set<FindingKind> kinds{left[0].kind, left[1].kind};
    EXPECT_EQ(kinds, (std::set<FindingKind>{FindingKind::InFlight, FindingKind::UnknownGid}));
}

TEST_P(BarrierDatabaseTest, aReadOnlyTableRefusesToDeleteAndAMissingGidIndexIsSaid)
{
    runTransfers();
    ASSERT_TRUE(m_db->fillFromBank().ok());
    auto table = open(Access::ReadOnly);
    ASSERT_TRUE(table);
    EXPECT_FALSE(table->deleteGids({"ok-0"}).ok());
    EXPECT_EQ(gidsInTable().size(), 5u);
    auto indexed = table->hasGidIndex();
    ASSERT_TRUE(indexed.ok()) << indexed.status();
    EXPECT_TRUE(*indexed);
    table.reset();
    ASSERT_TRUE(m_db->dropGidIndex().ok());
    table = open();
    ASSERT_TRUE(table);
    indexed = table->hasGidIndex();
    ASSERT_TRUE(indexed.ok()) << indexed.status();
    EXPECT_FALSE(*indexed);
    EXPECT_TRUE(findings().empty());  // slower, not wrong
}

// The failure-path explorer's invariants: a query's answer as text, read in a read-only session.
TEST_P(BarrierDatabaseTest, anInvariantQueryReadsItsAnswerAndCannotWrite)
{
    runTransfers();
    ASSERT_TRUE(m_db->fillFromBank().ok());
    auto table = open();
    ASSERT_TRUE(table);
    auto page = table->nextGids("", 10'000);
    ASSERT_TRUE(page.ok()) << page.status();
    size_t rows = 0;
    for (const auto &g : *page)
        rows += g.rows.size();
    table.reset();
    const std::string count = "SELECT count(DISTINCT gid), count(*) FROM " + m_db->table();
    auto answer = coord::barrier::queryReadOnly(m_db->dsn(), count);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(coord::barrier::toText(*answer), "5|" + std::to_string(rows));
    EXPECT_FALSE(coord::barrier::queryReadOnly(m_db->dsn(), "DELETE FROM " + m_db->table()).ok());
    answer = coord::barrier::queryReadOnly(m_db->dsn(), count);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(coord::barrier::toText(*answer), "5|" + std::to_string(rows));
    auto typo = coord::barrier::queryReadOnly(m_db->dsn(), "SELECT nothing FROM nowhere");
    ASSERT_FALSE(typo.ok());
    EXPECT_FALSE(std::string(typo.status().message()).empty());
}

INSTANTIATE_TEST_SUITE_P(Databases, BarrierDatabaseTest,
                         ::testing::Values(BarrierDb::Sqlite, BarrierDb::Postgres,
                                           BarrierDb::Mysql),
                         [](const auto &info) { return testsupport::toString(info.param); });

}  // namespace
