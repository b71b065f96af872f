// The inspector's commands as an operator runs them: txctl against a real coordinator process
// and the real HTTP bank's barrier file (bank.db, kept as DTM-style services do), filled by
// transfers and read while the bank still has it open. (The findings over SQLite, PostgreSQL and
// MariaDB tables: barrierdatabases_test.cpp.)
#include "engineharness.h"

#include "barrier/barrierinspection.h"
#include "barriertables.h"
#include "storage/sqlite/sqlite.h"
#include "support/coordinatorprocess.h"
#include "transfers.h"

#include <nlohmann/json.hpp>

#include <thread>

namespace {

class InspectorTest : public testsupport::EngineHarness
{};

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

// A real coordinator process and the real HTTP bank (its barrier in bank.db), with `count`
// transfers through them, every other one a TCC, all finished.
class BankAndCoordinator : public ::testing::Test
{
protected:
    void SetUp() override
    {
        for (int i = 0; i < 4; ++i)
            ledger.setBalance("acct" + std::to_string(i), 1000);
        ASSERT_TRUE(bank.start());
        ASSERT_TRUE(coordinator.start()) << coordinator.output();
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    void transfer(const std::string &prefix, int count, bool wait = true)
    {
        const auto transfers = testsupport::randomTransfers(testsupport::urlsOf(bank), prefix,
                                                            count, 4, 7, true);
        for (size_t i = 0; i < transfers.gids.size(); ++i)
            ASSERT_TRUE(testsupport::submitTransfer(coordinator.stub(), transfers, i));
        if (wait)
            ASSERT_TRUE(testsupport::waitAllFinished(coordinator.stub(), std::chrono::seconds(30)));
    }
    void insertRow(const std::string &values)
    {
        auto db = coord::storage::sqlite::Connection::open(dir + "/bank.db", false);
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE((*db)
                        ->exec("INSERT INTO barrier(trans_type, gid, branch_id, op, reason) VALUES "
                               + values)
                        .ok());
    }
    testsupport::CommandResult txctl(std::vector<std::string> args)
    {
        args.insert(args.begin(), {"--addr", coordinator.address()});
        return testsupport::runCommand(testsupport::binDir() + "/txctl", args);
    }

    std::string dir = testsupport::makeTempDir("txdesk-inspect");
    testsupport::BankLedger ledger{dir + "/bank.db"};
    testsupport::HttpBank bank{ledger};
    testsupport::CoordinatorProcess coordinator{dir + "/coordinator.db"};
};

// The same through txctl, as an operator runs it: a real coordinator process, SAGA and TCC
// transfers through the real HTTP bank, its barrier file read while the bank still has it open.
using InspectBarrierCommand = BankAndCoordinator;
TEST_F(InspectBarrierCommand, findsNothingInAHealthyTableThenTheOrphanAndExitsNonZero)
{
    transfer("cli", 12);
    auto healthy = txctl({"inspect-barrier", "--db", dir + "/bank.db"});
    EXPECT_EQ(healthy.exitCode, 0) << healthy.out << healthy.err;
    EXPECT_NE(healthy.out.find("12 gid(s)"), std::string::npos) << healthy.out;
    EXPECT_NE(healthy.out.find(": 0 problem(s), 0 in flight"), std::string::npos) << healthy.out;

    insertRow("('saga', 'from-elsewhere', '01', 'action', 'action')");
    auto damaged = txctl({"--json", "inspect-barrier", "--db", dir + "/bank.db"});
    EXPECT_EQ(damaged.exitCode, 1) << damaged.err;
    auto line = nlohmann::json::parse(damaged.out.substr(0, damaged.out.find('\n')));
    EXPECT_EQ(line["gid"], "from-elsewhere");
    EXPECT_EQ(line["finding"], "unknown gid");
    EXPECT_EQ(std::count(damaged.out.begin(), damaged.out.end(), '\n'), 1) << damaged.out;

    auto unknownKind = txctl({"inspect-barrier", "--db", "oracle://u@h/db"});
    EXPECT_EQ(unknownKind.exitCode, 1);
    EXPECT_NE(unknownKind.err.find("unknown database kind"), std::string::npos) << unknownKind.err;
}

// prune-barrier as an operator runs it: refused while the coordinator's history is shorter than
// the age asked for; a dry run that counts; --yes deletes exactly that, audited before and after;
// the rows of a transaction still in flight and of an unknown gid stay.
using PruneBarrierCommand = BankAndCoordinator;
TEST_F(PruneBarrierCommand, deletesWhatItsDryRunCountedKeepsUnfinishedAndUnknownGidsAndAudits)
{
    transfer("old", 8);
    // One that stays in flight: its "in" branch keeps answering ONGOING.
    ledger.script("TransIn", std::vector<std::string>(1000, "ONGOING"));
    transfer("pending", 1, /*wait=*/false);
    insertRow("('saga', 'from-elsewhere', '01', 'action', 'action')");
    auto prune = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = {"prune-barrier", "--db", dir + "/bank.db"};
        args.insert(args.end(), extra.begin(), extra.end());
        return txctl(args);
    };
    auto rowCount = [&] {
        auto db = coord::storage::sqlite::Connection::open(dir + "/bank.db", true);
        auto q = (*db)->prepare("SELECT count(*) FROM barrier");
        (*q)->step();
        const int64_t n = (*q)->int64(0);
        (*q)->reset();
        return n;
    };

    auto tooOld = prune({"--older-than", "1d", "--yes", "--reason", "cleanup"});
    EXPECT_EQ(tooOld.exitCode, 1);
    EXPECT_NE(tooOld.err.find("does not reach back that far"), std::string::npos) << tooOld.err;
    const int64_t before = rowCount();

    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the transfers are 1 s old
    auto dry = prune({"--older-than", "1s"});
    EXPECT_EQ(dry.exitCode, 0) << dry.err;
    EXPECT_NE(dry.out.find("of 8 gid(s) finished before"), std::string::npos) << dry.out;
    EXPECT_NE(dry.out.find("dry run: nothing deleted"), std::string::npos) << dry.out;
    EXPECT_EQ(rowCount(), before);
    const auto counted = std::stoll(dry.out.substr(dry.out.find("would delete ") + 13));
    EXPECT_GT(counted, 0);

    auto noReason = prune({"--older-than", "1s", "--yes"});
    EXPECT_EQ(noReason.exitCode, 2) << noReason.err;
    auto pruned = prune({"--older-than", "1s", "--yes", "--reason", "weekly clean-up"});
    EXPECT_EQ(pruned.exitCode, 0) << pruned.err;
    EXPECT_NE(pruned.out.find("deleted " + std::to_string(counted) + " row(s) of 8 gid(s)"),
              std::string::npos)
        << pruned.out;
    EXPECT_EQ(rowCount(), before - counted);
    auto inspected = txctl({"--json", "inspect-barrier", "--db", dir + "/bank.db"});
    EXPECT_NE(inspected.out.find("\"gid\":\"from-elsewhere\""), std::string::npos) << inspected.out;
    EXPECT_NE(inspected.out.find("\"finding\":\"in flight\""), std::string::npos) << inspected.out;

    auto audit = txctl({"audit"});
    size_t entries = 0;
    for (size_t at = audit.out.find("prune-barrier"); at != std::string::npos;
         at = audit.out.find("prune-barrier", at + 1))
        ++entries;
    EXPECT_EQ(entries, 2u) << audit.out;  // planned, then deleted
    EXPECT_NE(audit.out.find("weekly clean-up"), std::string::npos) << audit.out;
    EXPECT_NE(audit.out.find("planned -> deleted [ok] weekly clean-up — sqlite:" + dir
                             + "/bank.db table barrier: " + std::to_string(counted)
                             + " row(s) of 8 finished gid(s)"),
              std::string::npos)
        << audit.out;
}

}  // namespace
