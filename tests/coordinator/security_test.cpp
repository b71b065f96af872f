// Access control, the audit of refusals, and the metrics endpoint, on a real coordinator process.
#include "auth/tokenhash.h"
#include "support/coordinatorprocess.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <functional>

namespace {

namespace pb = txdesk::v1;
using testsupport::CoordinatorProcess;

const std::string kFlow = std::string(TXDESK_SOURCE_DIR)
    + "/resources/flows/bank-transfer-saga.txflow.json";

std::string readFile(const std::string &path)
{
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class SecurityTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = testsupport::makeTempDir("txdesk-security");
        std::ofstream config(m_dir + "/coordinator.yaml");
        config << "auth:\n  tokens:\n";
        for (auto [name, role] :
             {std::pair{"vic", "viewer"}, {"olga", "operator"}, {"ada", "admin"}})
            config << "    - name: " << name << "\n      role: " << role
                   << "\n      sha256: " << coord::auth::tokenHashHex(std::string(name) + "-secret")
                   << "\n";
        config.close();
        m_coordinator = std::make_unique<CoordinatorProcess>(
            m_dir + "/c.db",
            std::vector<std::string>{"--config", m_dir + "/coordinator.yaml", "--metrics-listen",
                                     "127.0.0.1:0"});
        ASSERT_TRUE(m_coordinator->start()) << m_coordinator->output();
    }
    void TearDown() override
    {
        m_coordinator.reset();
        std::filesystem::remove_all(m_dir);
    }

    std::unique_ptr<grpc::ClientContext> as(const std::string &token)
    {
        auto ctx = std::make_unique<grpc::ClientContext>();
        ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        if (!token.empty())
            ctx->AddMetadata("authorization", "Bearer " + token);
        return ctx;
    }

    int transactionCount()
    {
        pb::ListRequest req;
        pb::ListReply reply;
        EXPECT_TRUE(m_coordinator->stub().List(as("ada-secret").get(), req, &reply).ok());
        return reply.transactions_size();
    }

    std::string m_dir;
    std::unique_ptr<CoordinatorProcess> m_coordinator;
};

struct Rpc {
    const char *name;
    int required;  // 1 viewer, 2 operator, 3 admin
    std::function<grpc::Status(pb::Coordinator::Stub &, pb::Admin::Stub &, grpc::ClientContext *)>
        call;
};

TEST_F(SecurityTest, permissionMatrixRefusesChangesNothingAndAudits)
{
    auto channel = grpc::CreateChannel(m_coordinator->address(),
                                       grpc::InsecureChannelCredentials());
    auto admin = pb::Admin::NewStub(channel);
    const std::string flow = readFile(kFlow);
    std::vector<Rpc> rpcs = {
        {"Ping", 1,
         [](auto &c, auto &, auto *ctx) {
             pb::PingReply r;
             return c.Ping(ctx, {}, &r);
         }},
        {"List", 1,
         [](auto &c, auto &, auto *ctx) {
             pb::ListReply r;
             return c.List(ctx, {}, &r);
         }},
        {"Get", 1,
         [](auto &c, auto &, auto *ctx) {
             pb::GetRequest q;
             q.set_gid("g");
             pb::Transaction r;
             return c.Get(ctx, q, &r);
         }},
        {"Watch", 1,
         [](auto &c, auto &, auto *ctx) {
             ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
             auto reader = c.Watch(ctx, pb::WatchRequest());
             pb::Event e;
             while (reader->Read(&e)) {
             }
             auto s = reader->Finish();
             return s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ? grpc::Status::OK : s;
         }},
        {"GetMany", 1,
         [](auto &c, auto &, auto *ctx) {
             pb::GetManyRequest q;
             q.add_gids("g");
             pb::GetManyReply r;
             return c.GetMany(ctx, q, &r);
         }},
        {"ListAudit", 1,
         [](auto &, auto &a, auto *ctx) {
             pb::ListAuditReply r;
             return a.ListAudit(ctx, {}, &r);
         }},
        {"Submit", 2,
         [&flow](auto &c, auto &, auto *ctx) {
             pb::SubmitRequest q;
             q.set_flow_json(flow);
             q.set_gid("matrix");
             pb::SubmitReply r;
             return c.Submit(ctx, q, &r);
         }},
        {"Prepare", 2,
         [](auto &c, auto &, auto *ctx) {
             pb::PrepareRequest q;
             q.set_gid("matrix-tcc");
             pb::PrepareReply r;
             return c.Prepare(ctx, q, &r);
         }},
        {"RegisterBranch", 2,
         [](auto &c, auto &, auto *ctx) {
             pb::RegisterBranchRequest q;
             q.set_gid("nope");
             q.set_branch_id("b");
             q.set_confirm("sim://x");
             q.set_cancel("sim://x");
             pb::Empty r;
             return c.RegisterBranch(ctx, q, &r);
         }},
        {"SubmitPrepared", 2,
         [](auto &c, auto &, auto *ctx) {
             pb::FinishRequest q;
             q.set_gid("nope");
             pb::SubmitReply r;
             return c.SubmitPrepared(ctx, q, &r);
         }},
        {"AbortPrepared", 2,
         [](auto &c, auto &, auto *ctx) {
             pb::FinishRequest q;
             q.set_gid("nope");
             pb::SubmitReply r;
             return c.AbortPrepared(ctx, q, &r);
         }},
        {"Abort", 2,
         [](auto &, auto &a, auto *ctx) {
             pb::ActionRequest q;
             q.set_gid("nope");
             q.set_reason("r");
             q.set_dry_run(true);
             pb::ActionReply r;
             return a.Abort(ctx, q, &r);
         }},
        {"CancelBranch", 2,
         [](auto &, auto &a, auto *ctx) {
             pb::ActionRequest q;
             q.set_gid("nope");
             q.set_branch_id("b");
             q.set_reason("r");
             q.set_dry_run(true);
             pb::ActionReply r;
             return a.CancelBranch(ctx, q, &r);
         }},
        {"Pause", 2,
         [](auto &, auto &a, auto *ctx) {
             pb::ActionRequest q;
             q.set_gid("nope");
             q.set_reason("r");
             q.set_dry_run(true);
             pb::ActionReply r;
             return a.Pause(ctx, q, &r);
         }},
        {"Resume", 2,
         [](auto &, auto &a, auto *ctx) {
             pb::ActionRequest q;
             q.set_gid("nope");
             q.set_reason("r");
             q.set_dry_run(true);
             pb::ActionReply r;
             return a.Resume(ctx, q, &r);
         }},
        {"Retry", 2,
         [](auto &, auto &a, auto *ctx) {
             pb::RetryRequest q;
             q.set_reason("r");
             q.set_dry_run(true);
             pb::RetryReply r;
             return a.Retry(ctx, q, &r);
         }},
        {"Resolve", 2,
         [](auto &, auto &a, auto *ctx) {
             pb::ResolveRequest q;
             q.set_gid("nope");
             q.set_branch_id("b");
             q.set_op(pb::ACTION);
             q.set_as(pb::OP_SKIPPED);
             q.set_reason("r");
             pb::ActionReply r;
             return a.Resolve(ctx, q, &r);
         }},
        {"AuditBarrierPrune", 2,
         [](auto &, auto &a, auto *ctx) {
             pb::BarrierPruneRequest q;
             q.set_table("sqlite:/srv/bank.db table barrier");
             q.set_cutoff_ms(1);
             q.set_reason("r");
             pb::AuditEntry r;
             return a.AuditBarrierPrune(ctx, q, &r);
         }},
        {"MarkFailed", 3,
         [](auto &, auto &a, auto *ctx) {
             pb::ActionRequest q;
             q.set_gid("nope");
             q.set_reason("r");
             q.set_dry_run(true);
             pb::ActionReply r;
             return a.MarkFailed(ctx, q, &r);
         }},
    };
    const std::vector<std::pair<std::string, int>> identities = {
        {"", 0}, {"wrong-secret", 0}, {"vic-secret", 1}, {"olga-secret", 2}, {"ada-secret", 3}};
    int denied = 0;
    for (const Rpc &rpc : rpcs) {
        for (const auto &[token, level] : identities) {
            if (level >= rpc.required)
                continue;  // allowed calls run below, after the refusals
            const int before = transactionCount();
            grpc::Status s = rpc.call(m_coordinator->stub(), *admin, as(token).get());
            const auto expected = level == 0 ? grpc::StatusCode::UNAUTHENTICATED
                                             : grpc::StatusCode::PERMISSION_DENIED;
            EXPECT_EQ(s.error_code(), expected)
                << rpc.name << " as '" << token << "': " << s.error_message();
            EXPECT_EQ(transactionCount(), before) << rpc.name << " changed something";
            ++denied;
        }
    }
    for (const Rpc &rpc : rpcs) {
        for (const auto &[token, level] : identities) {
            if (level < rpc.required)
                continue;
            grpc::Status s = rpc.call(m_coordinator->stub(), *admin, as(token).get());
            EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << rpc.name;
            EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
                << rpc.name << " as " << token;
        }
    }
    pb::ListAuditRequest q;
    q.set_limit(10000);
    pb::ListAuditReply audit;
    ASSERT_TRUE(admin->ListAudit(as("ada-secret").get(), q, &audit).ok());
    int refusals = 0;
    for (const auto &e : audit.entries())
        if (e.detail() == "refused") {
            ++refusals;
            EXPECT_FALSE(e.who().empty());
            EXPECT_FALSE(e.action().empty());
            EXPECT_FALSE(e.outcome().empty());
        }
    EXPECT_EQ(refusals, denied);
}

// A fault plan rides on Submit: a viewer is refused it (and audited), an operator is refused it
// while the coordinator does not allow fault injection (this one was started without the flag).
TEST_F(SecurityTest, aFaultPlanNeedsTheOperatorRoleAndTheFlag)
{
    pb::SubmitRequest req;
    req.set_flow_json(readFile(kFlow));
    req.set_gid("with-faults");
    pb::FaultRule *rule = req.add_faults();
    rule->set_branch_id("out");
    rule->set_op(pb::ACTION);
    rule->set_kind(pb::ANSWER_LOST);
    rule->set_times(1);
    pb::SubmitReply reply;
    grpc::Status st = m_coordinator->stub().Submit(as("vic-secret").get(), req, &reply);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    st = m_coordinator->stub().Submit(as("olga-secret").get(), req, &reply);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_NE(st.error_message().find("--allow-fault-injection"), std::string::npos);
    EXPECT_EQ(transactionCount(), 0);
}

TEST_F(SecurityTest, withTokensANonLoopbackAddressIsAllowed)
{
    testsupport::ChildProcess open(testsupport::binDir() + "/coordinator-lite",
                                   {"--listen", "0.0.0.0:0", "--db", m_dir + "/open.db", "--config",
                                    m_dir + "/coordinator.yaml"});
    ASSERT_TRUE(open.start());
    EXPECT_FALSE(open.waitForLine("listening on ").empty()) << open.output();
}

TEST_F(SecurityTest, badConfigFilesAreRejectedNamingTheLine)
{
    std::ofstream(m_dir + "/bad.yaml") << "auth:\n  tokens:\n    - name: x\n      role: god\n";
    auto r = testsupport::runCommand(testsupport::binDir() + "/coordinator-lite",
                                     {"--db", m_dir + "/x.db", "--config", m_dir + "/bad.yaml"});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("bad.yaml:3"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("role must be viewer, operator or admin"), std::string::npos) << r.err;
    std::ofstream(m_dir + "/typo.yaml") << "stuk:\n  max_age_ms: 1\n";
    r = testsupport::runCommand(testsupport::binDir() + "/coordinator-lite",
                                {"--db", m_dir + "/x.db", "--config", m_dir + "/typo.yaml"});
    EXPECT_NE(r.err.find("unknown key stuk"), std::string::npos) << r.err;
}

TEST_F(SecurityTest, metricsMoveAfterARun)
{
    const std::string out = m_coordinator->output();
    const std::string marker = "metrics on http://";
    auto at = out.find(marker);
    ASSERT_NE(at, std::string::npos) << out;
    std::string hostPort = out.substr(at + marker.size(),
                                      out.find("/metrics", at) - at - marker.size());
    httplib::Client http("http://" + hostPort);
    auto before = http.Get("/metrics");
    ASSERT_TRUE(before);
    EXPECT_EQ(before->status, 200);
    EXPECT_EQ(before->body.find("txdesk_transactions_total{"), std::string::npos);

    pb::SubmitRequest req;
    req.set_flow_json(readFile(kFlow));
    req.set_wait(true);
    pb::SubmitReply reply;
    ASSERT_TRUE(m_coordinator->stub().Submit(as("olga-secret").get(), req, &reply).ok());
    auto after = http.Get("/metrics");
    ASSERT_TRUE(after);
    EXPECT_NE(after->body.find(R"(txdesk_transactions_total{status="SUCCEEDED",type="SAGA"} 1)"),
              std::string::npos)
        << after->body;
    EXPECT_NE(
        after->body.find(R"(txdesk_branch_operations_total{op="action",outcome="success"} 2)"),
        std::string::npos);
    EXPECT_NE(after->body.find("txdesk_transactions_in_flight 0"), std::string::npos);
    EXPECT_EQ(after->body.find(reply.transaction().summary().gid()), std::string::npos)
        << "no per-gid labels";
    auto health = http.Get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    EXPECT_NE(health->body.find("\"status\":\"ok\""), std::string::npos);
}

}  // namespace

namespace {

TEST(TlsTest, tlsFromConfigServesTlsClientsOnly)
{
    const std::string dir = testsupport::makeTempDir("txdesk-tls");
    auto gen = testsupport::runCommand("/usr/bin/openssl",
                                       {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                                        "1", "-subj", "/CN=localhost", "-addext",
                                        "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
                                        dir + "/key.pem", "-out", dir + "/cert.pem"});
    ASSERT_EQ(gen.exitCode, 0) << gen.err;
    std::ofstream(dir + "/tls.yaml")
        << "tls:\n  cert: " << dir << "/cert.pem\n  key: " << dir << "/key.pem\n";
    testsupport::ChildProcess server(
        testsupport::binDir() + "/coordinator-lite",
        {"--listen", "127.0.0.1:0", "--db", dir + "/c.db", "--config", dir + "/tls.yaml"});
    ASSERT_TRUE(server.start());
    const std::string addr = server.waitForLine("listening on ");
    ASSERT_FALSE(addr.empty()) << server.output();
    const std::string txctl = testsupport::binDir() + "/txctl";
    auto secure = testsupport::runCommand(txctl,
                                          {"--addr", addr, "--tls-ca", dir + "/cert.pem", "ping"});
    EXPECT_EQ(secure.exitCode, 0) << secure.err;
    auto plain = testsupport::runCommand(txctl, {"--addr", addr, "ping"}, std::chrono::seconds(20));
    EXPECT_NE(plain.exitCode, 0) << "a plaintext client must not get through";

    // DTM's HTTP API on the same certificate: https:// for DtmServer, plain HTTP refused.
    testsupport::ChildProcess dtm(testsupport::binDir() + "/coordinator-lite",
                                  {"--listen", "127.0.0.1:0", "--dtm-listen", "127.0.0.1:0", "--db",
                                   dir + "/d.db", "--config", dir + "/tls.yaml"});
    ASSERT_TRUE(dtm.start());
    const std::string dtmAddr = dtm.waitForLine("dtm http listening on ");
    ASSERT_FALSE(dtmAddr.empty()) << dtm.output();
    auto https = testsupport::runCommand(
        "/usr/bin/curl",
        {"-s", "--cacert", dir + "/cert.pem", "https://" + dtmAddr + "/api/dtmsvr/newGid"});
    EXPECT_NE(https.out.find("\"dtm_result\":\"SUCCESS\""), std::string::npos)
        << https.out << https.err;
    auto http = testsupport::runCommand(
        "/usr/bin/curl", {"-s", "-m", "5", "http://" + dtmAddr + "/api/dtmsvr/newGid"});
    EXPECT_EQ(http.out.find("SUCCESS"), std::string::npos) << "plain HTTP must not get through";
    std::filesystem::remove_all(dir);
}

}  // namespace
