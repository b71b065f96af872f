// One database, one writer; no input that crashes the coordinator. Real coordinator-lite
// processes on real SQLite files.
#include "storage/sqlite/databaselock.h"
#include "support/coordinatorprocess.h"

#include <absl/strings/str_cat.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace {

namespace pb = txdesk::v1;
using testsupport::ChildProcess;
using testsupport::CoordinatorProcess;

class HostileInputTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = testsupport::makeTempDir("txdesk-hostile");
        m_db = m_dir + "/coordinator.db";
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    static grpc::Status submit(CoordinatorProcess &c, const std::string &flowJson,
                               pb::SubmitReply *reply = nullptr, const std::string &overrides = {})
    {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
        pb::SubmitRequest req;
        req.set_flow_json(flowJson);
        req.set_payload_override_json(overrides);
        pb::SubmitReply ignored;
        return c.stub().Submit(&ctx, req, reply ? reply : &ignored);
    }

    static std::string simSaga(const std::string &payload = R"({"n":1})")
    {
        return R"({"name":"t","type":"SAGA","branches":[{"id":"a","action":"sim://ok",)"
               R"("compensate":"sim://ok","payload":)"
            + payload + "}]}";
    }

    static std::string nestedArrays(int depth)
    {
        return std::string(depth, '[') + std::string(depth, ']');
    }

    std::string m_dir, m_db;
};

TEST_F(HostileInputTest, secondCoordinatorOnOneSqliteFileRefusesNamingTheHolder)
{
    CoordinatorProcess first(m_db);
    ASSERT_TRUE(first.start());
    auto holder = coord::storage::DatabaseLock::holder(m_db);
    ASSERT_TRUE(holder.has_value());
    EXPECT_EQ(holder->address, first.address());

    ChildProcess second(testsupport::binDir() + "/coordinator-lite",
                        {"--listen", "127.0.0.1:0", "--db", m_db});
    ASSERT_TRUE(second.start());
    EXPECT_EQ(second.wait(std::chrono::seconds(10)), 1);
    EXPECT_NE(second.output().find(absl::StrCat("coordinator-lite: database ", m_db,
                                                " is in use by coordinator-lite pid ", holder->pid,
                                                " listening on ", first.address(), "\n")),
              std::string::npos)
        << second.output();
    const std::string out = "\n" + second.output();
    EXPECT_EQ(out.find("\nlistening on"), std::string::npos) << "it must not serve: " << out;

    // The first one was not disturbed.
    for (int i = 0; i < 20; ++i) {
        pb::SubmitReply reply;
        auto st = submit(first, simSaga(), &reply);
        ASSERT_TRUE(st.ok()) << st.error_message();
    }
}

TEST_F(HostileInputTest, aSigkilledCoordinatorLeavesNoStaleLock)
{
    CoordinatorProcess first(m_db);
    ASSERT_TRUE(first.start());
    ASSERT_TRUE(submit(first, simSaga()).ok());
    first.kill();
    EXPECT_FALSE(coord::storage::DatabaseLock::holder(m_db).has_value());

    CoordinatorProcess next(m_db);
    ASSERT_TRUE(next.start()) << next.output();
    EXPECT_TRUE(submit(next, simSaga()).ok());
}

TEST_F(HostileInputTest, deeplyNestedPayloadIsRefusedNamingTheLimitAndTheCoordinatorServesOn)
{
    CoordinatorProcess c(m_db);
    ASSERT_TRUE(c.start());
    auto st = submit(c, simSaga(nestedArrays(200000)));  // 400 KB
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "branches[0].payload: nested deeper than 256 levels");

    // A whole flow file that nests too deep (not only a payload).
    st = submit(c, R"({"flow":)" + nestedArrays(100000) + "}");
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "flow: nested deeper than 256 levels");

    st = submit(c, simSaga(), nullptr, R"({"a":)" + nestedArrays(200000) + "}");
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "payload_override_json.a: nested deeper than 256 levels");

    // 255 levels inside a payload at depth 4 stays inside the limit... and is kept intact.
    pb::SubmitReply reply;
    st = submit(c, simSaga(nestedArrays(250)), &reply);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_TRUE(c.running());
    EXPECT_TRUE(submit(c, simSaga()).ok());
}

TEST_F(HostileInputTest, aDeeplyNestedConfigFileIsRefusedAtStartWithoutACrash)
{
    const std::string config = m_dir + "/deep.yaml";
    std::ofstream(config) << "stuck: " << nestedArrays(100000) << "\n";
    ChildProcess c(testsupport::binDir() + "/coordinator-lite",
                   {"--listen", "127.0.0.1:0", "--db", m_db, "--config", config});
    ASSERT_TRUE(c.start());
    EXPECT_EQ(c.wait(std::chrono::seconds(10)), 2) << c.output();
    EXPECT_NE(c.output().find("coordinator-lite: " + config + ": "), std::string::npos)
        << c.output();
}

TEST_F(HostileInputTest, txctlSubmitOfADeepFlowFileGetsTheErrorAndTheCoordinatorLives)
{
    CoordinatorProcess c(m_db);
    ASSERT_TRUE(c.start());
    const std::string file = m_dir + "/deep.txflow.json";
    std::ofstream(file) << R"({"flow":)" << simSaga(nestedArrays(200000)) << "}";
    auto r = testsupport::runCommand(testsupport::binDir() + "/txctl",
                                     {"--addr", c.address(), "submit", file});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("flow.branches[0].payload: nested deeper than 256 levels"),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(c.running());
    EXPECT_TRUE(submit(c, simSaga()).ok());
}

}  // namespace
