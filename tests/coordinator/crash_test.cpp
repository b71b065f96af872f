// A real coordinator-lite process SIGKILLed while transfers are in flight, restarted on the same
// database, and the bank (a participant process with its own SQLite ledger) killed and restarted
// too: nothing is lost, nothing is half done, nothing runs twice, the money is all there.
// Sized by TXDESK_CRASH_TRANSACTIONS / TXDESK_CRASH_KILLS / TXDESK_CRASH_PARTICIPANT_KILLS,
// seeded by TXDESK_CRASH_SEED (scripts/soak runs it for as long as asked).
#include "bankledger.h"
#include "support/childprocess.h"
#include "support/coordinatorprocess.h"
#include "transfers.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

namespace {

namespace pb = txdesk::v1;
using testsupport::BankLedger;
using testsupport::ChildProcess;
using testsupport::CoordinatorProcess;

// The bank participant as a process: killed with SIGKILL, restarted on the same port and ledger.
class BankProcess
{
public:
    BankProcess(std::string db, int delayMs) : m_db(std::move(db)), m_delayMs(delayMs) {}

    bool start()
    {
        m_process = std::make_unique<ChildProcess>(
            testsupport::binDir() + "/bank_participant",
            std::vector<std::string>{"--db", m_db, "--port", std::to_string(m_port), "--delay-ms",
                                     std::to_string(m_delayMs)});
        if (!m_process->start())
            return false;
        const std::string port = m_process->waitForLine("listening on 127.0.0.1:");
        if (port.empty())
            return false;
        m_port = std::stoi(port);
        return true;
    }
    void kill()
    {
        m_process->signal(SIGKILL);
        m_process->wait();
    }
    std::string output() { return m_process ? m_process->output() : std::string(); }
    std::string url(const std::string &method) const
    {
        return "http://127.0.0.1:" + std::to_string(m_port) + "/api/" + method;
    }

private:
    std::string m_db;
    int m_delayMs;
    int m_port = 0;
    std::unique_ptr<ChildProcess> m_process;
};

class CrashTest : public ::testing::Test
{
protected:
    void SetUp() override { m_dir = testsupport::makeTempDir("txdesk-crash"); }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    std::string m_dir;
};

TEST_F(CrashTest, killedCoordinatorAndParticipantsLoseNothingAndHalfDoNothing)
{
    const int total = testsupport::envInt("TXDESK_CRASH_TRANSACTIONS", 240);
    const int kills = testsupport::envInt("TXDESK_CRASH_KILLS", 4);
    const int bankKills = testsupport::envInt("TXDESK_CRASH_PARTICIPANT_KILLS", kills);
    const int accounts = 8, initial = 1000;
    const std::string ledgerPath = m_dir + "/bank.db";
    {
        BankLedger setup(ledgerPath);
        for (int i = 0; i < accounts; ++i)
            setup.setBalance("acct" + std::to_string(i), initial);
    }
    BankProcess bank(ledgerPath, 15);  // calls take a while: kills land mid-transaction
    ASSERT_TRUE(bank.start()) << bank.output();
    // Retries back off up to 2 s: on a loaded machine the bank can stay down long enough for
    // the default (minutes) to outlast the suite's wait.
    const std::string config = m_dir + "/coordinator.yaml";
    std::ofstream(config) << "engine: { max_backoff_ms: 2000 }\n";
    CoordinatorProcess coordinator(m_dir + "/coordinator.db", {"--config", config});
    ASSERT_TRUE(coordinator.start()) << coordinator.output();

    const testsupport::Transfers transfers = testsupport::randomTransfers(
        [&bank](const std::string &method) { return bank.url(method); }, "crash", total, accounts,
        testsupport::envInt("TXDESK_CRASH_SEED", 20261124), /*everyOtherTcc=*/true);
    int killed = 0, bankKilled = 0, resubmitted = 0;
    bool bankDown = false;
    std::set<size_t> unacknowledged;
    auto submit = [&](size_t i) {
        return testsupport::submitTransfer(coordinator.stub(), transfers, i);
    };
    // Coordinator kills at multiples of killEvery; the bank dies half-way between them and
    // comes back a quarter period later (calls meanwhile are refused and retried).
    const size_t killEvery = total / (kills + 1);
    const size_t bankEvery = total / (bankKills + 1);
    for (size_t i = 0; i < transfers.gids.size(); ++i) {
        if (!submit(i))
            unacknowledged.insert(i);
        const size_t n = i + 1;
        if (bankEvery > 0 && !bankDown && bankKilled < bankKills
            && n % bankEvery == bankEvery / 2) {
            bank.kill();
            ++bankKilled;
            bankDown = true;
        } else if (bankDown && n % bankEvery == (bankEvery / 2 + bankEvery / 4) % bankEvery) {
            ASSERT_TRUE(bank.start()) << bank.output();
            bankDown = false;
        }
        if (killEvery > 0 && n % killEvery == 0 && killed < kills) {
            coordinator.kill();
            ++killed;
            ASSERT_TRUE(coordinator.start()) << coordinator.output();
            // A client whose submit was not acknowledged submits again with the same gid.
            for (auto it = unacknowledged.begin(); it != unacknowledged.end();)
                if (submit(*it)) {
                    ++resubmitted;
                    it = unacknowledged.erase(it);
                } else {
                    ++it;
                }
        }
    }
    if (bankDown) {
        ASSERT_TRUE(bank.start()) << bank.output();
    }
    for (size_t i : std::set<size_t>(unacknowledged))
        if (submit(i))
            ++resubmitted, unacknowledged.erase(i);
    ASSERT_TRUE(unacknowledged.empty());
    ASSERT_TRUE(testsupport::waitAllFinished(coordinator.stub(), std::chrono::seconds(180)))
        << testsupport::describeUnfinished(coordinator.stub()) << "\n"
        << coordinator.output();
    bank.kill();  // the ledger is read below, as the bank left it

    BankLedger ledger(ledgerPath);
    const int64_t expectedTotal = int64_t{accounts} * initial;
    const auto o = testsupport::checkTransfers(coordinator.stub(), ledger, transfers.gids,
                                               expectedTotal);
    std::printf("crash suite: transactions=%d succeeded=%d failed=%d kills=%d "
                "participant_kills=%d resubmitted=%d retries=%d violations=%d\n",
                total, o.succeeded, o.failed, killed, bankKilled, resubmitted, o.retries,
                o.violations);
    EXPECT_EQ(o.violations, 0) << o.firstViolation;
    EXPECT_EQ(ledger.totalBalance(), expectedTotal);
    EXPECT_EQ(ledger.totalFrozen(), 0);
    EXPECT_EQ(ledger.maxEffectsPerOperation(), 1);
    EXPECT_EQ(o.succeeded + o.failed, total);
    EXPECT_GT(o.failed, 0) << "some transfers should have been rolled back";
    EXPECT_EQ(killed, kills);
    EXPECT_EQ(bankKilled, bankKills);
}

}  // namespace
