// The consistency inspector against a real barrier table: the HTTP bank keeps its barrier rows
// in SQLite (bank.db) as DTM-style services do; real transfers fill it, then it is damaged on
// purpose. Every damage is found exactly once with the right finding; the undamaged table gives
// none.
#include "engineharness.h"

#include "barrier/consistency.h"
#include "barrier/sqlitebarrierreader.h"
#include "storage/sqlite/sqlite.h"
#include "support/coordinatorprocess.h"
#include "transfers.h"

#include <nlohmann/json.hpp>

namespace {

using coord::barrier::FindingKind;

class InspectorTest : public testsupport::EngineHarness
{
protected:
    // Every problem in bank.db's barrier table, read a few gids at a time as a large table is.
    std::vector<coord::barrier::Finding> problems()
    {
        auto reader = coord::barrier::SqliteBarrierReader::open(m_dir + "/bank.db");
        EXPECT_TRUE(reader.ok()) << reader.status();
        std::vector<coord::barrier::Finding> out;
        if (!reader.ok())
            return out;
        std::string after;
        for (;;) {
            auto rows = (*reader)->nextGids(after, 2);
            EXPECT_TRUE(rows.ok()) << rows.status();
            if (!rows.ok() || rows->empty())
                return out;
            for (const auto &[gid, gidRows] : *rows) {
                auto tx = m_store->get(gid);
                EXPECT_TRUE(tx.ok() || absl::IsNotFound(tx.status())) << tx.status();
                std::optional<coord::domain::Transaction> record;
                if (tx.ok())
                    record = *tx;
                for (auto &f : coord::barrier::inspectGid(gid, gidRows, record))
                    if (coord::barrier::isProblem(f.kind))
                        out.push_back(f);
                after = gid;
            }
        }
    }

    void damage(const std::string &sql)
    {
        auto db = coord::storage::sqlite::Connection::open(m_dir + "/bank.db", false);
        ASSERT_TRUE(db.ok()) << db.status();
        ASSERT_TRUE((*db)->exec(sql).ok()) << sql;
    }
};

TEST_F(InspectorTest, eachDamageToARealBarrierTableIsFoundOnceAndAnUndamagedOneGivesNone)
{
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(submit(transferSaga(10), "ok-" + std::to_string(i), true).ok());
    ASSERT_TRUE(submit(transferSaga(1000), "rolled-back", true).ok());  // A has 70: fails
    ASSERT_EQ(get("rolled-back").summary.status, coord::domain::TxStatus::Failed);
    ASSERT_EQ(get("ok-1").summary.status, coord::domain::TxStatus::Succeeded);
    EXPECT_TRUE(problems().empty());

    // Another transfer rolled back, whose "out" compensation row is lost; an extra try row in a
    // succeeded one; a gid the coordinator never heard of.
    m_ledger->script("TransIn", {"FAILURE"});  // after "out" took effect: it is compensated
    ASSERT_TRUE(submit(transferSaga(5), "lost-compensation", true).ok());
    ASSERT_EQ(get("lost-compensation").summary.status, coord::domain::TxStatus::Failed);
    damage("DELETE FROM barrier WHERE gid = 'lost-compensation' AND branch_id = 'out' AND "
           "op = 'compensate'");
    damage("INSERT INTO barrier(trans_type, gid, branch_id, op, reason) VALUES "
           "('saga', 'ok-1', 'extra', 'action', 'action')");
    damage("INSERT INTO barrier(trans_type, gid, branch_id, op, reason) VALUES "
           "('tcc', 'from-elsewhere', '01', 'try', 'try')");

    const auto found = problems();
    ASSERT_EQ(found.size(), 3u);
    std::map<FindingKind, coord::barrier::Finding> byKind;
    for (const auto &f : found)
        byKind[f.kind] = f;
    ASSERT_EQ(byKind.count(FindingKind::NotUndoneAfterRollback), 1u);
    EXPECT_EQ(byKind[FindingKind::NotUndoneAfterRollback].gid, "lost-compensation");
    EXPECT_EQ(byKind[FindingKind::NotUndoneAfterRollback].branchId, "out");
    ASSERT_EQ(byKind.count(FindingKind::UnknownBranch), 1u);
    EXPECT_EQ(byKind[FindingKind::UnknownBranch].gid, "ok-1");
    ASSERT_EQ(byKind.count(FindingKind::UnknownGid), 1u);
    EXPECT_EQ(byKind[FindingKind::UnknownGid].gid, "from-elsewhere");
}

TEST_F(InspectorTest, aFileWithoutABarrierTableIsRefusedNamingIt)
{
    auto reader = coord::barrier::SqliteBarrierReader::open(m_dir + "/coordinator.db");
    ASSERT_FALSE(reader.ok());
    EXPECT_NE(std::string(reader.status().message()).find("has no barrier table"),
              std::string::npos);
    EXPECT_FALSE(coord::barrier::SqliteBarrierReader::open(m_dir + "/bank.db", "x; DROP").ok());
}

// The same through txctl, as an operator runs it: a real coordinator process, SAGA and TCC
// transfers through the real HTTP bank, its barrier file read while the bank still has it open.
TEST(InspectBarrierCommand, findsNothingInAHealthyTableThenTheOrphanAndExitsNonZero)
{
    const std::string dir = testsupport::makeTempDir("txdesk-inspect");
    struct RemoveDir {
        std::string dir;
        ~RemoveDir() { std::filesystem::remove_all(dir); }
    } removeDir{dir};
    testsupport::BankLedger ledger(dir + "/bank.db");
    for (int i = 0; i < 4; ++i)
        ledger.setBalance("acct" + std::to_string(i), 1000);
    testsupport::HttpBank bank(ledger);
    ASSERT_TRUE(bank.start());
    testsupport::CoordinatorProcess coordinator(dir + "/coordinator.db");
    ASSERT_TRUE(coordinator.start()) << coordinator.output();
    const auto transfers = testsupport::randomTransfers(testsupport::urlsOf(bank), "cli", 12, 4, 7,
                                                        true);
    for (size_t i = 0; i < transfers.gids.size(); ++i)
        ASSERT_TRUE(testsupport::submitTransfer(coordinator.stub(), transfers, i));
    ASSERT_TRUE(testsupport::waitAllFinished(coordinator.stub(), std::chrono::seconds(30)));

    const std::string txctl = testsupport::binDir() + "/txctl";
    auto healthy = testsupport::runCommand(
        txctl, {"--addr", coordinator.address(), "inspect-barrier", "--db", dir + "/bank.db"});
    EXPECT_EQ(healthy.exitCode, 0) << healthy.out << healthy.err;
    EXPECT_NE(healthy.out.find("12 gid(s)"), std::string::npos) << healthy.out;
    EXPECT_NE(healthy.out.find(": 0 problem(s), 0 in flight"), std::string::npos) << healthy.out;

    {
        auto db = coord::storage::sqlite::Connection::open(dir + "/bank.db", false);
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE((*db)
                        ->exec("INSERT INTO barrier(trans_type, gid, branch_id, op, reason) "
                               "VALUES ('saga', 'from-elsewhere', '01', 'action', 'action')")
                        .ok());
    }
    auto damaged = testsupport::runCommand(
        txctl,
        {"--addr", coordinator.address(), "--json", "inspect-barrier", "--db", dir + "/bank.db"});
    EXPECT_EQ(damaged.exitCode, 1) << damaged.err;
    auto line = nlohmann::json::parse(damaged.out.substr(0, damaged.out.find('\n')));
    EXPECT_EQ(line["gid"], "from-elsewhere");
    EXPECT_EQ(line["finding"], "unknown gid");
    EXPECT_EQ(std::count(damaged.out.begin(), damaged.out.end(), '\n'), 1) << damaged.out;

    auto unsupported = testsupport::runCommand(
        txctl, {"--addr", coordinator.address(), "inspect-barrier", "--db", "mysql://u@h/db"});
    EXPECT_EQ(unsupported.exitCode, 2);
    EXPECT_NE(unsupported.err.find("mysql is not supported yet"), std::string::npos)
        << unsupported.err;
}

}  // namespace
