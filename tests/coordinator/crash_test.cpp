// A real coordinator-lite process SIGKILLed while transfers are in flight, restarted on the same
// database: nothing is lost, nothing is half done, nothing runs twice.
#include "bankledger.h"
#include "httpbank.h"
#include "support/coordinatorprocess.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>

namespace {

namespace pb = txdesk::v1;
using testsupport::BankLedger;
using testsupport::CoordinatorProcess;
using testsupport::HttpBank;

int envInt(const char *name, int fallback)
{
    const char *v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

class CrashTest : public ::testing::Test
{
protected:
    void SetUp() override { m_dir = testsupport::makeTempDir("txdesk-crash"); }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    std::string transferFlow(HttpBank &bank, const std::string &from, const std::string &to,
                             int amount)
    {
        nlohmann::json flow = {
            {"name", "crash-transfer"},
            {"type", "SAGA"},
            {"options", {{"retry_interval_ms", 100}, {"wait_result", false}}},
            {"branches",
             {{{"id", "out"},
               {"action", bank.url("TransOut")},
               {"compensate", bank.url("TransOutCompensate")},
               {"payload", {{"account", from}, {"amount", amount}}}},
              {{"id", "in"},
               {"after", {"out"}},
               {"action", bank.url("TransIn")},
               {"compensate", bank.url("TransInCompensate")},
               {"payload", {{"account", to}, {"amount", amount}}}}}}};
        return flow.dump();
    }

    std::string m_dir;
};

// Waits (on the event stream, never on a timer) until no transaction is unfinished.
bool waitAllFinished(CoordinatorProcess &coordinator, std::chrono::seconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        pb::ListRequest req;
        req.add_statuses(pb::PREPARED);
        req.add_statuses(pb::SUBMITTED);
        req.add_statuses(pb::ABORTING);
        req.set_limit(1);
        pb::ListReply reply;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        if (coordinator.stub().List(&ctx, req, &reply).ok() && reply.transactions().empty())
            return true;
        grpc::ClientContext watch;
        watch.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
        pb::WatchRequest from;
        from.set_from_seq(reply.last_seq());
        auto reader = coordinator.stub().Watch(&watch, from);
        pb::Event e;
        while (reader->Read(&e)) {
        }
        reader->Finish().IgnoreError();
    }
    return false;
}

TEST_F(CrashTest, killedCoordinatorLosesNothingAndHalfDoesNothing)
{
    const int total = envInt("TXDESK_CRASH_TRANSACTIONS", 240);
    const int kills = envInt("TXDESK_CRASH_KILLS", 4);
    const int accounts = 8, initial = 1000;
    BankLedger ledger(m_dir + "/bank.db");
    for (int i = 0; i < accounts; ++i)
        ledger.setBalance("acct" + std::to_string(i), initial);
    ledger.setDelayMs(15);  // calls take a while: kills land mid-transaction
    HttpBank bank(ledger);
    ASSERT_TRUE(bank.start());
    CoordinatorProcess coordinator(m_dir + "/coordinator.db");
    ASSERT_TRUE(coordinator.start()) << coordinator.output();

    std::mt19937 rng(20261124);
    std::vector<std::string> gids;
    std::vector<std::string> flows;
    for (int i = 0; i < total; ++i) {
        int from = rng() % accounts, to = (from + 1 + rng() % (accounts - 1)) % accounts;
        int amount = 1 + static_cast<int>(rng() % 400);  // some exceed the balance: FAILURE
        gids.push_back("crash-" + std::to_string(i));
        flows.push_back(transferFlow(bank, "acct" + std::to_string(from),
                                     "acct" + std::to_string(to), amount));
    }
    int killed = 0, resubmitted = 0;
    std::set<size_t> unacknowledged;
    auto submit = [&](size_t i) {
        pb::SubmitRequest req;
        req.set_gid(gids[i]);
        req.set_flow_json(flows[i]);
        pb::SubmitReply reply;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
        return coordinator.stub().Submit(&ctx, req, &reply).ok();
    };
    const size_t killEvery = total / (kills + 1);
    for (size_t i = 0; i < gids.size(); ++i) {
        if (!submit(i))
            unacknowledged.insert(i);
        if (killEvery > 0 && (i + 1) % killEvery == 0 && killed < kills) {
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
    for (size_t i : std::set<size_t>(unacknowledged))
        if (submit(i))
            ++resubmitted, unacknowledged.erase(i);
    ASSERT_TRUE(unacknowledged.empty());
    ASSERT_TRUE(waitAllFinished(coordinator, std::chrono::seconds(120))) << coordinator.output();

    int succeeded = 0, failed = 0, retries = 0, violations = 0;
    for (const std::string &gid : gids) {
        pb::GetRequest req;
        req.set_gid(gid);
        pb::Transaction tx;
        grpc::ClientContext ctx;
        ASSERT_TRUE(coordinator.stub().Get(&ctx, req, &tx).ok()) << gid << " was lost";
        for (const auto &b : tx.branches())
            for (const auto &o : b.ops())
                retries += std::max(0, o.attempt_count() - 1);
        const int64_t out = ledger.branchDelta(gid, "out"), in = ledger.branchDelta(gid, "in");
        if (tx.summary().status() == pb::SUCCEEDED) {
            ++succeeded;
            violations += !(out < 0 && in == -out);
        } else if (tx.summary().status() == pb::FAILED) {
            ++failed;
            violations += !(out == 0 && in == 0);
        } else {
            ++violations;
        }
    }
    const int64_t totalBalance = ledger.totalBalance();
    violations += totalBalance != int64_t{accounts} * initial;
    violations += ledger.maxEffectsPerOperation() > 1;
    std::printf("crash suite: transactions=%d succeeded=%d failed=%d kills=%d resubmitted=%d "
                "retries=%d violations=%d\n",
                total, succeeded, failed, killed, resubmitted, retries, violations);
    EXPECT_EQ(violations, 0);
    EXPECT_EQ(totalBalance, int64_t{accounts} * initial);
    EXPECT_EQ(ledger.maxEffectsPerOperation(), 1);
    EXPECT_EQ(succeeded + failed, total);
    EXPECT_GT(failed, 0) << "some transfers should have been rolled back";
    EXPECT_EQ(killed, kills);
}

}  // namespace
