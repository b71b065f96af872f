// The consistency inspector against a real barrier table: the HTTP bank keeps its barrier rows
// in SQLite (bank.db) as DTM-style services do; real transfers fill it, then it is damaged on
// purpose. Every damage is found exactly once with the right finding; the undamaged table gives
// none.
#include "engineharness.h"

#include "barrier/barrierinspection.h"
#include "barriertables.h"
#include "storage/sqlite/sqlite.h"
#include "support/coordinatorprocess.h"
#include "transfers.h"

#include <nlohmann/json.hpp>

#include <thread>

namespace {

using coord::barrier::FindingKind;

class InspectorTest : public testsupport::EngineHarness
{
protected:
    // Every problem in bank.db's barrier table, read a few gids at a time as a large table is.
    std::vector<coord::barrier::Finding> problems()
    {
        auto table = coord::barrier::openBarrierTable(m_dir + "/bank.db", "",
                                                      coord::barrier::Access::ReadOnly);
        EXPECT_TRUE(table.ok()) << table.status();
        std::vector<coord::barrier::Finding> out;
        if (!table.ok())
            return out;
        coord::barrier::InspectionOptions options;
        options.pageGids = 2;
        auto counts = coord::barrier::inspectTable(**table, testsupport::storeLookup(*m_store),
                                                   options, [&](const coord::barrier::Finding &f) {
                                                       if (coord::barrier::isProblem(f.kind))
                                                           out.push_back(f);
                                                   });
        EXPECT_TRUE(counts.ok()) << counts.status();
        return out;
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
    using coord::barrier::Access;
    auto table = coord::barrier::openBarrierTable(m_dir + "/coordinator.db", "", Access::ReadOnly);
    ASSERT_FALSE(table.ok());
    EXPECT_NE(std::string(table.status().message()).find("has no barrier table"),
              std::string::npos);
    auto injected = coord::barrier::openBarrierTable(m_dir + "/bank.db", "x; DROP",
                                                     Access::ReadOnly);
    ASSERT_FALSE(injected.ok());
    EXPECT_NE(std::string(injected.status().message()).find("letters, digits and _"),
              std::string::npos);
    auto typo = coord::barrier::openBarrierTable(m_dir + "/bnak.db", "", Access::ReadWrite);
    ASSERT_FALSE(typo.ok());
    EXPECT_FALSE(std::filesystem::exists(m_dir + "/bnak.db"));  // never created
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

    auto unknownKind = testsupport::runCommand(
        txctl, {"--addr", coordinator.address(), "inspect-barrier", "--db", "oracle://u@h/db"});
    EXPECT_EQ(unknownKind.exitCode, 1);
    EXPECT_NE(unknownKind.err.find("unknown database kind"), std::string::npos) << unknownKind.err;
}

// prune-barrier as an operator runs it: refused while the coordinator's history is shorter than
// the age asked for; a dry run that counts; --yes deletes exactly that, audited before and after;
// the rows of a transaction still in flight and of an unknown gid stay.
TEST(PruneBarrierCommand, deletesWhatItsDryRunCountedKeepsUnfinishedAndUnknownGidsAndAudits)
{
    const std::string dir = testsupport::makeTempDir("txdesk-prune");
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
    const auto transfers = testsupport::randomTransfers(testsupport::urlsOf(bank), "old", 8, 4, 3,
                                                        true);
    for (size_t i = 0; i < transfers.gids.size(); ++i)
        ASSERT_TRUE(testsupport::submitTransfer(coordinator.stub(), transfers, i));
    ASSERT_TRUE(testsupport::waitAllFinished(coordinator.stub(), std::chrono::seconds(30)));
    // One that stays in flight: its "in" branch keeps answering ONGOING.
    ledger.script("TransIn", std::vector<std::string>(1000, "ONGOING"));
    const auto pending = testsupport::randomTransfers(testsupport::urlsOf(bank), "pending", 1, 4, 5,
                                                      false);
    ASSERT_TRUE(testsupport::submitTransfer(coordinator.stub(), pending, 0));
    {
        auto db = coord::storage::sqlite::Connection::open(dir + "/bank.db", false);
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE((*db)
                        ->exec("INSERT INTO barrier(trans_type, gid, branch_id, op, reason) "
                               "VALUES ('saga', 'from-elsewhere', '01', 'action', 'action')")
                        .ok());
    }
    const std::string txctl = testsupport::binDir() + "/txctl";
    const std::vector<std::string> base = {"--addr", coordinator.address(), "prune-barrier", "--db",
                                           dir + "/bank.db"};
    auto run = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        return testsupport::runCommand(txctl, args);
    };
    auto rowCount = [&] {
        auto db = coord::storage::sqlite::Connection::open(dir + "/bank.db", true);
        auto q = (*db)->prepare("SELECT count(*) FROM barrier");
        (*q)->step();
        const int64_t n = (*q)->int64(0);
        (*q)->reset();
        return n;
    };

    auto tooOld = run({"--older-than", "1d", "--yes", "--reason", "cleanup"});
    EXPECT_EQ(tooOld.exitCode, 1);
    EXPECT_NE(tooOld.err.find("does not reach back that far"), std::string::npos) << tooOld.err;
    const int64_t before = rowCount();

    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the transfers are 1 s old
    auto dry = run({"--older-than", "1s"});
    EXPECT_EQ(dry.exitCode, 0) << dry.err;
    EXPECT_NE(dry.out.find("of 8 gid(s) finished before"), std::string::npos) << dry.out;
    EXPECT_NE(dry.out.find("dry run: nothing deleted"), std::string::npos) << dry.out;
    EXPECT_EQ(rowCount(), before);
    const auto counted = std::stoll(dry.out.substr(dry.out.find("would delete ") + 13));
    EXPECT_GT(counted, 0);

    auto noReason = run({"--older-than", "1s", "--yes"});
    EXPECT_EQ(noReason.exitCode, 2) << noReason.err;
    auto pruned = run({"--older-than", "1s", "--yes", "--reason", "weekly clean-up"});
    EXPECT_EQ(pruned.exitCode, 0) << pruned.err;
    EXPECT_NE(pruned.out.find("deleted " + std::to_string(counted) + " row(s) of 8 gid(s)"),
              std::string::npos)
        << pruned.out;
    EXPECT_EQ(rowCount(), before - counted);
    auto inspected = testsupport::runCommand(
        txctl,
        {"--addr", coordinator.address(), "--json", "inspect-barrier", "--db", dir + "/bank.db"});
    EXPECT_NE(inspected.out.find("\"gid\":\"from-elsewhere\""), std::string::npos) << inspected.out;
    EXPECT_NE(inspected.out.find("\"finding\":\"in flight\""), std::string::npos) << inspected.out;

    auto audit = testsupport::runCommand(txctl, {"--addr", coordinator.address(), "audit"});
    size_t entries = 0;
    for (size_t at = audit.out.find("prune-barrier"); at != std::string::npos;
         at = audit.out.find("prune-barrier", at + 1))
        ++entries;
    EXPECT_EQ(entries, 2u) << audit.out;  // planned, then deleted
    EXPECT_NE(audit.out.find("weekly clean-up"), std::string::npos) << audit.out;
}

}  // namespace
