// The PostgreSQL server restarted under load (pg_ctl restart -m fast / -m immediate) while two
// coordinator-lite instances run transfers on it: both live and reconnect; an answer never says
// "not done" for a transaction that was stored; the owner resumes its transactions as soon as
// the database answers, not when their leases (30 s) run out; nothing is lost or done twice;
// Watch on each instance goes on without a gap.
#include "bankledger.h"
#include "httpbank.h"
#include "storefactory.h"
#include "support/coordinatorprocess.h"
#include "support/watchrecorder.h"
#include "transfers.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

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

grpc::Status submit(pb::Coordinator::Stub &stub, const testsupport::Transfers &t, size_t i)
{
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    pb::SubmitRequest req;
    req.set_flow_json(t.flows[i]);
    req.set_gid(t.gids[i]);
    pb::SubmitReply reply;
    return stub.Submit(&ctx, req, &reply);
}

bool exists(pb::Coordinator::Stub &stub, const std::string &gid)
{
    for (;;) {
        grpc::ClientContext ctx;
        pb::GetRequest req;
        req.set_gid(gid);
        pb::Transaction tx;
        auto s = stub.Get(&ctx, req, &tx);
        if (s.ok() || s.error_code() == grpc::StatusCode::NOT_FOUND)
            return s.ok();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

int64_t lastSeq(pb::Coordinator::Stub &stub)
{
    grpc::ClientContext ctx;
    pb::PingRequest req;
    pb::PingReply reply;
    return stub.Ping(&ctx, req, &reply).ok() ? reply.last_seq() : -1;
}

class PgRestartTest : public ::testing::TestWithParam<const char *>
{};

TEST_P(PgRestartTest, restartUnderLoadLosesNothingDoesNothingTwiceAndResumesAtOnce)
{
    testsupport::PostgresSchema schema;
    if (!schema.ok())
        GTEST_SKIP() << schema.error();
    const char *restart = std::getenv("TXDESK_TEST_POSTGRES_RESTART");
    if (!restart)
        GTEST_SKIP() << "no TXDESK_TEST_POSTGRES_RESTART: run under scripts/with-postgres";
    const int total = testsupport::envInt("TXDESK_PGRESTART_TRANSACTIONS", 80);
    const int accounts = 8, initial = 1000;
    const std::string dir = testsupport::makeTempDir("txdesk-pgrestart");
    struct RemoveDir {
        std::string dir;
        ~RemoveDir() { std::filesystem::remove_all(dir); }
    } removeDir{dir};
    constexpr int64_t kLeaseMs = 30000;  // far longer than a restart: resuming must not wait for it
    std::ofstream(dir + "/coordinator.yaml") << "engine:\n  lease_ms: " << kLeaseMs << "\n";
    BankLedger ledger(dir + "/bank.db");
    for (int i = 0; i < accounts; ++i)
        ledger.setBalance("acct" + std::to_string(i), initial);
    ledger.setDelayMs(40);  // transfers are in flight when the server goes
    HttpBank bank(ledger);
    ASSERT_TRUE(bank.start());
    std::vector<std::unique_ptr<CoordinatorProcess>> instances;
    for (int i = 0; i < 2; ++i) {
        instances.push_back(std::make_unique<CoordinatorProcess>(
            schema.url(), std::vector<std::string>{"--config", dir + "/coordinator.yaml"}));
        ASSERT_TRUE(instances.back()->start()) << instances.back()->output();
    }
    testsupport::WatchRecorder watch0(instances[0]->stub()), watch1(instances[1]->stub());

    const auto transfers = testsupport::randomTransfers(testsupport::urlsOf(bank), "restart", total,
                                                        accounts, 20261201, true);
    std::thread restarter;
    Clock::time_point restartedAt;
    std::map<std::string, std::string> refused;  // gid -> the error its submit got
    for (size_t i = 0; i < transfers.gids.size(); ++i) {
        if (i == transfers.gids.size() / 3)
            restarter = std::thread([&] {
                const int rc = std::system((std::string(restart) + " " + GetParam()).c_str());
                restartedAt = Clock::now();
                EXPECT_EQ(rc, 0) << "pg_ctl restart -m " << GetParam();
            });
        auto st = submit(instances[i % 2]->stub(), transfers, i);
        if (!st.ok())
            refused[transfers.gids[i]] = st.error_message();
    }
    restarter.join();

    // An answer that was not "accepted" must be true: not stored, or said to be unknown.
    int unknown = 0;
    for (const auto &[gid, message] : refused) {
        const bool stored = exists(*&instances[0]->stub(), gid);
        const bool saysUnknown = message.find("may have been stored") != std::string::npos;
        unknown += saysUnknown;
        EXPECT_TRUE(!stored || saysUnknown)
            << gid << " was stored, but its submit was answered: " << message;
    }
    // The client submits the refused ones again (idempotent by gid), as DTM's rule says it may.
    for (size_t i = 0; i < transfers.gids.size(); ++i) {
        if (refused.count(transfers.gids[i])) {
            ASSERT_TRUE(testsupport::submitTransfer(instances[i % 2]->stub(), transfers, i))
                << transfers.gids[i];
        }
    }

    ASSERT_TRUE(testsupport::waitAllFinished(instances[0]->stub(), std::chrono::seconds(90)))
        << testsupport::describeUnfinished(instances[0]->stub());
    const double afterRestartS = std::chrono::duration<double>(Clock::now() - restartedAt).count();
    auto outcome = testsupport::checkTransfers(instances[1]->stub(), ledger, transfers.gids,
                                               int64_t{accounts} * initial);
    const int64_t last = lastSeq(instances[0]->stub());
    auto seqs0 = watch0.seqsUntil(last, std::chrono::seconds(20));
    auto seqs1 = watch1.seqsUntil(last, std::chrono::seconds(20));
    auto gapless = [last](const std::vector<int64_t> &seqs) {
        if (static_cast<int64_t>(seqs.size()) != last)
            return false;
        for (size_t k = 0; k < seqs.size(); ++k)
            if (seqs[k] != static_cast<int64_t>(k) + 1)
                return false;
        return true;
    };
    std::printf("pg restart -m %s: transactions=%d succeeded=%d failed=%d refused=%zu unknown=%d "
                "violations=%d; all finished %.1f s after the restart (lease %lld s); watch "
                "%zu/%zu of %lld events\n",
                GetParam(), total, outcome.succeeded, outcome.failed, refused.size(), unknown,
                outcome.violations, afterRestartS, static_cast<long long>(kLeaseMs / 1000),
                seqs0.size(), seqs1.size(), static_cast<long long>(last));
    EXPECT_EQ(outcome.violations, 0) << outcome.firstViolation;
    EXPECT_EQ(outcome.succeeded + outcome.failed, total);
    EXPECT_EQ(ledger.maxEffectsPerOperation(), 1) << "an operation took effect twice";
    EXPECT_EQ(ledger.totalBalance(), int64_t{accounts} * initial);
    EXPECT_LT(afterRestartS, kLeaseMs / 1000.0 / 3)
        << "the owners waited for their leases instead of resuming when the database answered";
    EXPECT_TRUE(gapless(seqs0)) << "Watch on instance 0: " << seqs0.size() << " of " << last;
    EXPECT_TRUE(gapless(seqs1)) << "Watch on instance 1: " << seqs1.size() << " of " << last;
    if (std::getenv("TXDESK_PGRESTART_LOGS"))
        for (auto &instance : instances)
            std::printf("--- instance log ---\n%s\n", instance->output().c_str());
    for (auto &instance : instances) {
        EXPECT_TRUE(instance->running()) << instance->output();
        // The log shows the connection lost and taken up again.
        const std::string out = instance->output();
        EXPECT_NE(out.find("cannot read other instances' events (retrying)"), std::string::npos)
            << out;
        EXPECT_NE(out.find("reading other instances' events again"), std::string::npos) << out;
    }
}

INSTANTIATE_TEST_SUITE_P(Modes, PgRestartTest, ::testing::Values("fast", "immediate"),
                         [](const auto &info) { return std::string(info.param); });

}  // namespace
