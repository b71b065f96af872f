// coordinator-lite and txctl as users run them: real processes, real ports.
#include "support/childprocess.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <sstream>

using testsupport::ChildProcess;
using testsupport::runCommand;

namespace {

std::string coordinator() { return testsupport::binDir() + "/coordinator-lite"; }
std::string txctl() { return testsupport::binDir() + "/txctl"; }

class CoordinatorProcessTest : public ::testing::Test
{
protected:
    void SetUp() override { m_dir = testsupport::makeTempDir("txdesk-cli"); }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string m_dir;
};

TEST_F(CoordinatorProcessTest, printsListeningAddressAndTxctlListsJson)
{
    ChildProcess server(coordinator(), {"--listen", "127.0.0.1:0", "--db", m_dir + "/x.db"});
    ASSERT_TRUE(server.start());
    std::string addr = server.waitForLine("listening on ");
    ASSERT_FALSE(addr.empty()) << server.output();
    EXPECT_EQ(addr.rfind("127.0.0.1:", 0), 0u);
    EXPECT_NE(addr, "127.0.0.1:0");

    auto list = runCommand(txctl(), {"--addr", addr, "list", "--json"});
    ASSERT_EQ(list.exitCode, 0) << list.err;
    auto json = nlohmann::json::parse(list.out);
    ASSERT_TRUE(json.contains("transactions"));
    EXPECT_TRUE(json["transactions"].is_array());
    EXPECT_TRUE(json["transactions"].empty());

    auto ping = runCommand(txctl(), {"--addr", addr, "ping", "--json"});
    ASSERT_EQ(ping.exitCode, 0) << ping.err;
    EXPECT_EQ(nlohmann::json::parse(ping.out)["last_seq"], 0);

    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0) << server.output();
    EXPECT_TRUE(std::filesystem::exists(m_dir + "/x.db"));
}

TEST_F(CoordinatorProcessTest, sigintDrainsAndExitsZero)
{
    ChildProcess server(coordinator(), {"--listen", "127.0.0.1:0", "--db", m_dir + "/x.db"});
    ASSERT_TRUE(server.start());
    ASSERT_FALSE(server.waitForLine("listening on ").empty());
    server.signal(SIGINT);
    EXPECT_EQ(server.wait(), 0);
}

TEST_F(CoordinatorProcessTest, badFlagExitsNonZeroWithOneLineReason)
{
    auto r = runCommand(coordinator(), {"--listen", "127.0.0.1:0", "--frobnicate"});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_EQ(r.err, "coordinator-lite: unknown flag --frobnicate\n");
}

TEST_F(CoordinatorProcessTest, missingFlagValueAndBadAddressAreNamed)
{
    auto r = runCommand(coordinator(), {"--db"});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("--db needs a value"), std::string::npos) << r.err;
    r = runCommand(coordinator(), {"--listen", "nonsense", "--db", m_dir + "/x.db"});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("HOST:PORT"), std::string::npos) << r.err;
    r = runCommand(coordinator(), {"--rate-limit", "fast", "--db", m_dir + "/x.db"});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("--rate-limit must be a whole number >= 0, not fast"), std::string::npos)
        << r.err;
}

TEST_F(CoordinatorProcessTest, refusesNonLoopbackWithoutAuthentication)
{
    auto r = runCommand(coordinator(), {"--listen", "0.0.0.0:0", "--db", m_dir + "/x.db"});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("non-loopback"), std::string::npos) << r.err;
}

TEST_F(CoordinatorProcessTest, unopenableDatabaseIsReported)
{
    auto r = runCommand(coordinator(),
                        {"--listen", "127.0.0.1:0", "--db", m_dir + "/no/such/dir/x.db"});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("no/such/dir/x.db"), std::string::npos) << r.err;
}

TEST_F(CoordinatorProcessTest, txctlReportsAnUnreachableCoordinator)
{
    auto r = runCommand(txctl(), {"--addr", "127.0.0.1:1", "ping"});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("is coordinator-lite running at 127.0.0.1:1"), std::string::npos) << r.err;
}

TEST_F(CoordinatorProcessTest, txctlRejectsUnknownCommandsAndBadOptions)
{
    auto r = runCommand(txctl(), {"frob"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("unknown command frob"), std::string::npos);
    r = runCommand(txctl(), {"list", "--status", "HAPPY"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("unknown status HAPPY"), std::string::npos) << r.err;
}

}  // namespace

namespace {

// The bundled samples, as a user runs them: txctl submit ... --wait --json.
TEST_F(CoordinatorProcessTest, sampleFlowsRunOutOfTheBox)
{
    ChildProcess server(coordinator(), {"--listen", "127.0.0.1:0", "--db", m_dir + "/x.db"});
    ASSERT_TRUE(server.start());
    std::string addr = server.waitForLine("listening on ");
    ASSERT_FALSE(addr.empty());
    const std::string flows = std::string(TXDESK_SOURCE_DIR) + "/resources/flows/";
    for (const char *name : {"bank-transfer-saga", "order-stock-payment-tcc", "concurrent-saga"}) {
        auto r = runCommand(
            txctl(), {"--addr", addr, "submit", flows + name + ".txflow.json", "--wait", "--json"});
        ASSERT_EQ(r.exitCode, 0) << name << ": " << r.err;
        auto tx = nlohmann::json::parse(r.out);
        EXPECT_EQ(tx["status"], "SUCCEEDED") << name << ": " << r.out;
    }
    auto r = runCommand(
        txctl(),
        {"--addr", addr, "submit", flows + "failing-saga.txflow.json", "--wait", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto tx = nlohmann::json::parse(r.out);
    EXPECT_EQ(tx["status"], "FAILED");
    for (const auto &b : tx["branches"]) {
        for (const auto &op : b["ops"])
            if (op["op"] == "compensate") {
                EXPECT_EQ(op["status"], "succeeded") << b["id"];
                EXPECT_EQ(op["attempts"].size(), 1u);
            }
    }
    auto got = runCommand(txctl(), {"--addr", addr, "get", tx["gid"], "--json"});
    ASSERT_EQ(got.exitCode, 0);
    EXPECT_EQ(nlohmann::json::parse(got.out)["status"], "FAILED");

    auto bad = runCommand(txctl(), {"--addr", addr, "get", "no-such-gid"});
    EXPECT_NE(bad.exitCode, 0);
    EXPECT_NE(bad.err.find("unknown gid 'no-such-gid'"), std::string::npos) << bad.err;
}

TEST_F(CoordinatorProcessTest, malformedFlowFileIsRejectedNamingTheProblem)
{
    ChildProcess server(coordinator(), {"--listen", "127.0.0.1:0", "--db", m_dir + "/x.db"});
    ASSERT_TRUE(server.start());
    std::string addr = server.waitForLine("listening on ");
    std::string file = m_dir + "/bad.txflow.json";
    FILE *f = fopen(file.c_str(), "w");
    fputs(R"({"flow": {"type": "SAGA", "branches": [{"id": "a", "action": "sim://x"}]}})", f);
    fclose(f);
    auto r = runCommand(txctl(), {"--addr", addr, "submit", file});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("flow.branches[0].compensate: missing"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("code 3"), std::string::npos) << "INVALID_ARGUMENT: " << r.err;
    auto list = runCommand(txctl(), {"--addr", addr, "list", "--json"});
    EXPECT_TRUE(nlohmann::json::parse(list.out)["transactions"].empty());
}

// Watch replays from any sequence number and then follows live, without gaps or repeats.
TEST_F(CoordinatorProcessTest, watchResumesFromASequenceNumberWithoutGaps)
{
    ChildProcess server(coordinator(), {"--listen", "127.0.0.1:0", "--db", m_dir + "/x.db"});
    ASSERT_TRUE(server.start());
    std::string addr = server.waitForLine("listening on ");
    const std::string flow = std::string(TXDESK_SOURCE_DIR)
        + "/resources/flows/bank-transfer-saga.txflow.json";
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(runCommand(txctl(), {"--addr", addr, "submit", flow, "--wait"}).exitCode, 0);

    auto all = runCommand(txctl(), {"--addr", addr, "watch", "--from", "0", "--json"},
                          std::chrono::milliseconds(1500));  // watch never ends by itself
    std::vector<int64_t> seqs;
    std::istringstream lines(all.out);
    for (std::string line; std::getline(lines, line);)
        seqs.push_back(nlohmann::json::parse(line)["seq"].get<int64_t>());
    ASSERT_GE(seqs.size(), 9u);
    // Each event carries only its own fields (the server reuses its message buffer).
    std::istringstream again(all.out);
    for (std::string line; std::getline(again, line);) {
        auto e = nlohmann::json::parse(line);
        if (e["kind"] == "op_status_changed" || e["kind"] == "tx_created") {
            EXPECT_FALSE(e.contains("attempt")) << line;
        }
        if (e["kind"] == "tx_created") {
            EXPECT_FALSE(e.contains("op")) << line;
        }
    }
    for (size_t i = 0; i < seqs.size(); ++i)
        EXPECT_EQ(seqs[i], static_cast<int64_t>(i + 1)) << "gap or repeat at " << i;

    const int64_t from = seqs[seqs.size() / 2];
    auto rest = runCommand(txctl(),
                           {"--addr", addr, "watch", "--from", std::to_string(from), "--json"},
                           std::chrono::milliseconds(1500));
    std::istringstream restLines(rest.out);
    std::string first;
    std::getline(restLines, first);
    EXPECT_EQ(nlohmann::json::parse(first)["seq"], from + 1);
}

}  // namespace
