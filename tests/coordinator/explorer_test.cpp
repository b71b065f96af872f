// The failure-path explorer against the real HTTP bank (its accounts and barrier in bank.db) and
// a real coordinator process that allows fault injection: every path green while the bank keeps
// the barrier, the lost answer caught once it does not. (txctl explore's exit codes and report:
// the last tests.)
#include "client/connection.h"
#include "explore/explorer.h"
#include "support/coordinatorprocess.h"
#include "transfers.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

namespace {

using coord::explore::ExploreReport;
using coord::explore::PathResult;

const char *kTotal = "SELECT sum(balance), sum(frozen) FROM accounts";

class ExplorerTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        // Every path that succeeds moves 100 from acct0: enough for all of them.
        ledger.setBalance("acct0", 10000);
        ledger.setBalance("acct1", 1000);
        ASSERT_TRUE(bank.start());
        ASSERT_TRUE(coordinator.start()) << coordinator.output();
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    // A transfer of 100 whose calls time out after 400 ms (the slow paths wait that long).
    std::string flow(bool tcc) const
    {
        auto json = nlohmann::json::parse(
            testsupport::transferFlow(testsupport::urlsOf(bank), "acct0", "acct1", 100, tcc));
        json["options"]["request_timeout_ms"] = 400;
        return json.dump();
    }
    ExploreReport explore(bool tcc, bool withBarrierTable = true)
    {
        coord::client::Connection connection({coordinator.address()});
        coord::explore::ExploreOptions options;
        options.runId = tcc ? "tcc" : "saga";
        options.invariants = {{dir + "/bank.db", kTotal, {}}};
        if (withBarrierTable)
            options.barriers = {{dir + "/bank.db", ""}};
        options.pathTimeout = std::chrono::seconds(30);
        coord::explore::Explorer explorer(connection, options);
        auto report = explorer.run(flow(tcc));
        EXPECT_TRUE(report.ok()) << report.status();
        return report.ok() ? *report : ExploreReport{};
    }
    static const PathResult *pathOf(const ExploreReport &report, const std::string &point)
    {
        for (const PathResult &p : report.paths)
            if (p.point.id == point)
                return &p;
        return nullptr;
    }
    static std::string problemsOf(const ExploreReport &report)
    {
        std::string out;
        for (const PathResult &p : report.paths)
            for (const std::string &problem : p.problems)
                out += p.point.id + ": " + problem + "\n";
        return out;
    }

    std::string dir = testsupport::makeTempDir("txdesk-explore");
    testsupport::BankLedger ledger{dir + "/bank.db"};
    testsupport::HttpBank bank{ledger};
    testsupport::CoordinatorProcess coordinator{dir + "/coordinator.db",
                                                {"--allow-fault-injection"}};
};

TEST_F(ExplorerTest, everySagaPathIsGreenAgainstTheBarrierProtectedBank)
{
    const ExploreReport report = explore(false);
    // Two branches: action x 4 faults, compensate x 3 (a business failure is no compensate's).
    ASSERT_EQ(report.paths.size(), 14u);
    EXPECT_EQ(report.redCount(), 0) << problemsOf(report);
    EXPECT_EQ(ledger.totalBalance(), 11000);
    EXPECT_EQ(ledger.maxEffectsPerOperation(), 1);

    const PathResult *failed = pathOf(report, "in/action: business-failure");
    ASSERT_NE(failed, nullptr);
    EXPECT_EQ(failed->statusText(), "FAILED");
    // Dependents are undone before what they depend on.
    EXPECT_EQ(failed->undone, (std::vector<std::string>{"in/compensate", "out/compensate"}));
    const PathResult *lostUndo = pathOf(report, "out/compensate: answer-lost");
    ASSERT_NE(lostUndo, nullptr);
    EXPECT_EQ(lostUndo->point.rollbackForcedBy, "in/action");
    ASSERT_EQ(lostUndo->invariants.size(), 1u);
    EXPECT_EQ(lostUndo->invariants[0].before, "11000|0");
    EXPECT_EQ(lostUndo->invariants[0].after, "11000|0");
    EXPECT_GE(lostUndo->attempts, 4);  // out, in (failed), in's undo, out's undo twice
}

TEST_F(ExplorerTest, everyTccPathIsGreenAgainstTheBarrierProtectedBank)
{
    const ExploreReport report = explore(true);
    // Two branches: try x 4, confirm x 3, cancel x 3.
    ASSERT_EQ(report.paths.size(), 20u);
    EXPECT_EQ(report.redCount(), 0) << problemsOf(report);
    EXPECT_EQ(ledger.totalBalance(), 11000);
    EXPECT_EQ(ledger.totalFrozen(), 0);
    const PathResult *slowConfirm = pathOf(report, "out/confirm: slow");
    ASSERT_NE(slowConfirm, nullptr);
    EXPECT_EQ(slowConfirm->statusText(), "SUCCEEDED");
}

TEST_F(ExplorerTest, withoutTheBarrierALostAnswerMovesTheMoneyTwiceAndItsPathIsRed)
{
    ledger.setBarrier(false);
    const ExploreReport report = explore(false, /*withBarrierTable=*/false);
    ASSERT_EQ(report.paths.size(), 14u);
    const PathResult *lost = pathOf(report, "out/action: answer-lost");
    ASSERT_NE(lost, nullptr);
    ASSERT_TRUE(lost->red());
    EXPECT_EQ(lost->statusText(), "SUCCEEDED");  // the coordinator saw nothing wrong
    ASSERT_EQ(lost->invariants.size(), 1u);
    EXPECT_EQ(lost->invariants[0].before, "11000|0");
    EXPECT_EQ(lost->invariants[0].after, "10900|0");  // debited twice, credited once
    EXPECT_NE(lost->problems.front().find("changed: 11000|0 -> 10900|0"), std::string::npos)
        << lost->problems.front();
    EXPECT_TRUE(report.paths.front().red());  // red rows first

    // A retried transient error never reached the bank: it stays green even here.
    const PathResult *transient = pathOf(report, "out/action: transient-error");
    ASSERT_NE(transient, nullptr);
    EXPECT_FALSE(transient->red()) << problemsOf(report);
}

TEST_F(ExplorerTest, txctlExploreExitsNonZeroOnARedPathAndWritesTheReport)
{
    ledger.setBarrier(false);
    const std::string flowFile = dir + "/transfer.txflow.json";
    std::ofstream(flowFile) << flow(false);
    auto run = testsupport::runCommand(testsupport::binDir() + "/txctl",
                                       {"--addr", coordinator.address(), "explore", flowFile,
                                        "--invariant-db", dir + "/bank.db", "--invariant-sql",
                                        kTotal, "--report", dir + "/report.md", "--run-id", "cli"},
                                       std::chrono::seconds(120));
    EXPECT_EQ(run.exitCode, 1) << run.err;
    EXPECT_NE(run.out.find("RED   out/action: answer-lost"), std::string::npos) << run.out;
    std::ifstream in(dir + "/report.md");
    const std::string report(std::istreambuf_iterator<char>(in), {});
    EXPECT_NE(report.find("| **red** | out/action: answer-lost"), std::string::npos) << report;
    EXPECT_NE(report.find("11000\\|0 -> 10900\\|0"), std::string::npos) << report;

    auto plan =
        testsupport::runCommand(testsupport::binDir() + "/txctl",
                                {"--addr", coordinator.address(), "explore", flowFile, "--plan"});
    EXPECT_EQ(plan.exitCode, 0) << plan.err;
    EXPECT_NE(plan.out.find("in/compensate: slow  (rollback forced by in/action)"),
              std::string::npos)
        << plan.out;
}

TEST(ExplorerInvariant, aJsonDocumentComparesInCanonicalFormAndABadAnswerIsAnError)
{
    httplib::Server server;
    std::string body = R"({"b": 1, "a": {"y": [1, 2], "x": null}})";
    server.Get("/state", [&](const httplib::Request &, httplib::Response &r) {
        r.set_content(body, "application/json");
    });
    server.Get("/broken", [](const httplib::Request &, httplib::Response &r) { r.status = 500; });
    const int port = server.bind_to_any_port("127.0.0.1");
    std::thread thread([&] { server.listen_after_bind(); });
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    auto first = coord::explore::evaluate({{}, {}, base + "/state"});
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(*first, R"({"a":{"x":null,"y":[1,2]},"b":1})");
    body = R"({"a":{"x":null, "y":[1,2]}, "b":1})";  // the same document, other spacing/order
    EXPECT_EQ(*coord::explore::evaluate({{}, {}, base + "/state"}), *first);
    body = "not json";
    EXPECT_FALSE(coord::explore::evaluate({{}, {}, base + "/state"}).ok());
    auto broken = coord::explore::evaluate({{}, {}, base + "/broken"});
    ASSERT_FALSE(broken.ok());
    EXPECT_NE(std::string(broken.status().message()).find("HTTP 500"), std::string::npos);
    server.stop();
    thread.join();
}

TEST(ExplorerRefusal, aCoordinatorWithoutFaultInjectionStopsTheRunNamingTheFlag)
{
    const std::string dir = testsupport::makeTempDir("txdesk-explore-off");
    testsupport::CoordinatorProcess coordinator(dir + "/c.db");
    ASSERT_TRUE(coordinator.start()) << coordinator.output();
    const std::string flowFile = dir + "/t.txflow.json";
    std::ofstream(flowFile) << testsupport::transferFlow(
        [](const std::string &m) { return "http://127.0.0.1:9/api/" + m; }, "a", "b", 1);
    auto run = testsupport::runCommand(testsupport::binDir() + "/txctl",
                                       {"--addr", coordinator.address(), "explore", flowFile});
    EXPECT_EQ(run.exitCode, 2) << run.err;
    EXPECT_NE(run.err.find("--allow-fault-injection"), std::string::npos) << run.err;
    std::filesystem::remove_all(dir);
}

}  // namespace
