// Three real coordinator-lite processes on one PostgreSQL database, transfers spread across
// them, one SIGKILLed mid-run: the survivors take its work over when its leases expire, every
// transfer finishes exactly once (the bank's ledger proves it), and Watch on one instance sees
// the transactions the others run.
#include "bankledger.h"
#include "httpbank.h"
#include "storefactory.h"
#include "support/coordinatorprocess.h"
#include "support/watchrecorder.h"
#include "transfers.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

namespace {

namespace pb = txdesk::v1;
using Clock = std::chrono::steady_clock;
using testsupport::BankLedger;
using testsupport::CoordinatorProcess;
using testsupport::HttpBank;

int finishedCount(pb::Coordinator::Stub &stub)
{
    pb::ListRequest req;
    req.add_statuses(pb::SUCCEEDED);
    req.add_statuses(pb::FAILED);
    req.set_limit(10000);
    pb::ListReply reply;
    grpc::ClientContext ctx;
    return stub.List(&ctx, req, &reply).ok() ? reply.transactions_size() : -1;
}

TEST(MultiInstanceTest, survivorsFinishAKilledInstancesTransfersExactlyOnce)
{
    testsupport::PostgresSchema schema;
    if (!schema.ok())
        GTEST_SKIP() << schema.error();
    const int total = testsupport::envInt("TXDESK_MULTI_TRANSACTIONS", 300);
    const int accounts = 8, initial = 1000;
    const std::string dir = testsupport::makeTempDir("txdesk-multi");
    struct RemoveDir {
        std::string dir;
        ~RemoveDir() { std::filesystem::remove_all(dir); }
    } removeDir{dir};
    // Short leases: the killed instance's work is taken over two seconds after its last write.
    std::ofstream(dir + "/coordinator.yaml") << "engine:\n  lease_ms: 2000\n";
    BankLedger ledger(dir + "/bank.db");
    for (int i = 0; i < accounts; ++i)
        ledger.setBalance("acct" + std::to_string(i), initial);
    ledger.setDelayMs(10);  // calls take a while: the kill lands mid-transaction
    HttpBank bank(ledger);
    ASSERT_TRUE(bank.start());
    std::vector<std::unique_ptr<CoordinatorProcess>> instances;
    for (int i = 0; i < 3; ++i) {
        instances.push_back(std::make_unique<CoordinatorProcess>(
            schema.url(), std::vector<std::string>{"--config", dir + "/coordinator.yaml"}));
        ASSERT_TRUE(instances.back()->start()) << instances.back()->output();
    }
    testsupport::WatchRecorder watched(instances[0]->stub());

    const testsupport::Transfers transfers = testsupport::randomTransfers(testsupport::urlsOf(bank),
                                                                          "multi", total, accounts);
    const std::vector<std::string> &gids = transfers.gids;
    auto submit = [&](CoordinatorProcess &to, size_t i) {
        return testsupport::submitTransfer(to.stub(), transfers, i);
    };

    const auto started = Clock::now();
    Clock::time_point killedAt;
    int finishedAtKill = 0, resubmitted = 0, orphaned = 0;
    std::vector<int> perInstance(3, 0);
    std::vector<size_t> onKilled;
    for (size_t i = 0; i < gids.size(); ++i) {
        if (i == gids.size() / 2) {
            instances[2]->kill();
            killedAt = Clock::now();
            finishedAtKill = finishedCount(instances[0]->stub());
            for (size_t k : onKilled) {  // left unfinished by the killed instance
                pb::GetRequest req;
                req.set_gid(gids[k]);
                pb::Transaction tx;
                grpc::ClientContext ctx;
                if (instances[0]->stub().Get(&ctx, req, &tx).ok())
                    orphaned += tx.summary().status() != pb::SUCCEEDED
                        && tx.summary().status() != pb::FAILED;
            }
        }
        const int target = instances[2]->running() ? i % 3 : i % 2;
        if (submit(*instances[target], i)) {
            ++perInstance[target];
            if (target == 2)
                onKilled.push_back(i);
        } else {
            // Not acknowledged (the instance died under it): the client submits again elsewhere.
            ASSERT_TRUE(submit(*instances[(target + 1) % 2], i)) << gids[i];
            ++resubmitted;
        }
    }
    ASSERT_TRUE(testsupport::waitAllFinished(instances[0]->stub(), std::chrono::seconds(120)))
        << instances[0]->output();
    const auto finished = Clock::now();

    auto outcome = testsupport::checkTransfers(instances[1]->stub(), ledger, gids,
                                               int64_t{accounts} * initial);
    auto missing = watched.missingOf(gids, std::chrono::seconds(10));
    const double afterKillS = std::chrono::duration<double>(finished - killedAt).count();
    const double totalS = std::chrono::duration<double>(finished - started).count();
    std::printf("multi-instance: transactions=%d succeeded=%d failed=%d submitted=%d/%d/%d "
                "resubmitted=%d taken_over=%d retries=%d violations=%d watched_missing=%zu; "
                "overall %.1f tx/s over %.2f s; survivors finished %d in %.2f s after the kill "
                "= %.1f tx/s\n",
                total, outcome.succeeded, outcome.failed, perInstance[0], perInstance[1],
                perInstance[2], resubmitted, orphaned, outcome.retries, outcome.violations,
                missing.size(), total / totalS, totalS, total - finishedAtKill, afterKillS,
                (total - finishedAtKill) / afterKillS);
    EXPECT_EQ(outcome.violations, 0) << outcome.firstViolation;
    EXPECT_EQ(outcome.succeeded + outcome.failed, total);
    EXPECT_EQ(ledger.maxEffectsPerOperation(), 1) << "an operation took effect twice";
    EXPECT_EQ(ledger.totalBalance(), int64_t{accounts} * initial);
    EXPECT_GT(outcome.failed, 0) << "some transfers should have been rolled back";
    EXPECT_GT(perInstance[1], 0);
    EXPECT_GT(perInstance[2], 0);
    EXPECT_TRUE(missing.empty()) << "Watch on instance 0 missed " << missing.size()
                                 << " transaction(s), e.g. " << missing.front();
}

}  // namespace
