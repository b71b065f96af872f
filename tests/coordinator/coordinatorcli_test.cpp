// coordinator-lite and txctl as users run them: real processes, real ports.
#include "support/childprocess.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>

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
}

TEST_F(CoordinatorProcessTest, refusesNonLoopbackWithoutAuthentication)
{
    auto r = runCommand(coordinator(), {"--listen", "0.0.0.0:0", "--db", m_dir + "/x.db"});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("non-loopback"), std::string::npos) << r.err;
}

TEST_F(CoordinatorProcessTest, unopenableDatabaseIsReported)
{
    auto r = runCommand(coordinator(), {"--listen", "127.0.0.1:0", "--db", m_dir + "/no/such/dir/x.db"});
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
