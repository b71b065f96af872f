// Limits per client on a real coordinator process: concurrent Watch streams, request rate, and
// the flow limits as a gRPC caller sees them. Each refusal says which limit and how to raise it.
#include "auth/tokenhash.h"
#include "api/ratelimiter.h"
#include "support/coordinatorprocess.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

namespace {

namespace pb = txdesk::v1;
using testsupport::CoordinatorProcess;

class LimitsTest : public ::testing::Test
{
protected:
    void TearDown() override
    {
        m_coordinator.reset();
        if (!m_dir.empty())
            std::filesystem::remove_all(m_dir);
    }

    // A coordinator with tokens "alice-secret" and "bob-secret", the given flags and more
    // config file text.
    void startWith(std::vector<std::string> flags, const std::string &moreConfig = {})
    {
        m_dir = testsupport::makeTempDir("txdesk-limits");
        std::ofstream config(m_dir + "/coordinator.yaml");
        config << "auth:\n  tokens:\n";
        for (const char *name : {"alice", "bob"})
            config << "    - name: " << name << "\n      role: operator\n      sha256: "
                   << coord::auth::tokenHashHex(std::string(name) + "-secret") << "\n";
        config << moreConfig;
        config.close();
        flags.insert(flags.begin(), {"--config", m_dir + "/coordinator.yaml"});
        m_coordinator = std::make_unique<CoordinatorProcess>(m_dir + "/c.db", flags);
        ASSERT_TRUE(m_coordinator->start()) << m_coordinator->output();
        m_channel = grpc::CreateChannel(m_coordinator->address(),
                                        grpc::InsecureChannelCredentials());
        m_stub = pb::Coordinator::NewStub(m_channel);
    }

    static void as(grpc::ClientContext &ctx, const std::string &who)
    {
        ctx.AddMetadata("authorization", "Bearer " + who + "-secret");
    }

    grpc::Status ping(const std::string &who)
    {
        grpc::ClientContext ctx;
        as(ctx, who);
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        pb::PingRequest req;
        pb::PingReply reply;
        return m_stub->Ping(&ctx, req, &reply);
    }

    grpc::Status submit(const nlohmann::json &flow)
    {
        grpc::ClientContext ctx;
        as(ctx, "alice");
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        pb::SubmitRequest req;
        req.set_flow_json(flow.dump());
        pb::SubmitReply reply;
        return m_stub->Submit(&ctx, req, &reply);
    }

    // An open Watch stream (from seq 0, so an accepted one delivers the first event at once).
    struct Stream {
        grpc::ClientContext ctx;
        std::unique_ptr<grpc::ClientReader<pb::Event>> reader;
        grpc::Status status;  // why it ended, once it has

        bool accepted()
        {
            pb::Event event;
            if (reader->Read(&event))
                return true;
            status = reader->Finish();
            return false;
        }
        void close()
        {
            ctx.TryCancel();
            pb::Event event;
            while (reader->Read(&event)) {
            }
            reader->Finish();
        }
    };

    std::unique_ptr<Stream> watch(const std::string &who)
    {
        auto s = std::make_unique<Stream>();
        as(s->ctx, who);
        pb::WatchRequest req;
        req.set_from_seq(0);
        s->reader = m_stub->Watch(&s->ctx, req);
        return s;
    }

    // The message of a Watch refused for a limit ("" when it was accepted).
    static std::string whyRefused(Stream &s)
    {
        if (s.accepted())
            return "";
        EXPECT_EQ(s.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
        return s.status.error_message();
    }

    // Asks again (a new Watch each time) until one is accepted or `timeout` passes: a closed
    // stream's place is freed when the server has seen the cancel, a moment after the client.
    std::unique_ptr<Stream> watchOnceThereIsRoom(const std::string &who,
                                                 std::chrono::seconds timeout)
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            auto s = watch(who);
            if (s->accepted() || std::chrono::steady_clock::now() > deadline)
                return s;
        }
    }

    static nlohmann::json simFlow(int branches, const std::string &payload = "x")
    {
        nlohmann::json list = nlohmann::json::array();
        for (int i = 0; i < branches; ++i)
            list.push_back({{"id", "b" + std::to_string(i)},
                            {"action", "sim://ok"},
                            {"compensate", "sim://ok"},
                            {"payload", {{"data", payload}}}});
        return {{"name", "limits"}, {"type", "SAGA"}, {"branches", list}};
    }

    std::string m_dir;
    std::unique_ptr<CoordinatorProcess> m_coordinator;
    std::shared_ptr<grpc::Channel> m_channel;
    std::unique_ptr<pb::Coordinator::Stub> m_stub;
};

TEST_F(LimitsTest, watchStreamsOverTheLimitsAreRefusedAndAClosedOneFreesItsPlace)
{
    startWith({"--max-watches-per-client", "2", "--max-watches", "3"});
    ASSERT_TRUE(submit(simFlow(1)).ok());  // events to read, so an accepted stream shows itself

    auto a1 = watch("alice"), a2 = watch("alice");
    ASSERT_TRUE(a1->accepted());
    ASSERT_TRUE(a2->accepted());
    EXPECT_EQ(whyRefused(*watch("alice")),
              "client alice already has 2 Watch streams open, the limit per client; close one "
              "or raise the limit with --max-watches-per-client");

    auto b1 = watch("bob");
    ASSERT_TRUE(b1->accepted()) << "another client has its own allowance";
    EXPECT_EQ(whyRefused(*watch("bob")),
              "the coordinator already serves 3 Watch streams, its limit; close some or raise "
              "the limit with --max-watches");

    a1->close();
    auto again = watchOnceThereIsRoom("bob", std::chrono::seconds(10));
    EXPECT_TRUE(again->status.ok()) << again->status.error_message();
    for (auto *s : {a2.get(), b1.get(), again.get()})
        s->close();
}

TEST_F(LimitsTest, requestsFasterThanTheRateAreRefusedUntilTheBucketRefills)
{
    startWith({}, "limits: { rate_limit: 2 }\n");  // burst: one second's worth, 2
    std::vector<grpc::Status> answers;
    for (int i = 0; i < 12; ++i)
        answers.push_back(ping("alice"));
    int refused = 0;
    std::string message;
    for (const auto &s : answers) {
        if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
            ++refused;
            message = s.error_message();
        } else {
            EXPECT_TRUE(s.ok()) << s.error_message();
        }
    }
    EXPECT_GE(refused, 5) << "12 calls at once, a burst of 2 and 2 more per second";
    EXPECT_TRUE(answers.front().ok());
    std::smatch m;
    ASSERT_TRUE(std::regex_match(message, m,
                                 std::regex("rate limit of 2 requests/s for client alice "
                                            "exceeded; retry after ~([0-9]+) ms \\(the "
                                            "coordinator's --rate-limit\\)")))
        << message;

    EXPECT_TRUE(ping("bob").ok()) << "another token has its own bucket";
    // The hint is honest: waiting that long is enough.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(m[1].str())));
    EXPECT_TRUE(ping("alice").ok());
}

TEST_F(LimitsTest, flowLimitsReachTheCallerAsInvalidArgumentNamingTheLimit)
{
    startWith({});
    auto tooMany = submit(simFlow(1001));
    EXPECT_EQ(tooMany.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(tooMany.error_message(), "flow.branches: has 1001 branches; the limit is 1000");

    auto tooBig = submit(simFlow(1, std::string(300 * 1024, 'x')));
    EXPECT_EQ(tooBig.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(tooBig.error_message().find("flow.branches[0].payload: is "), std::string::npos)
        << tooBig.error_message();
    EXPECT_NE(tooBig.error_message().find("bytes; the limit is 262144"), std::string::npos)
        << tooBig.error_message();
    EXPECT_TRUE(submit(simFlow(3)).ok()) << "within the limits";
}

TEST(RateLimiterTest, aBucketRefillsAtTheRateAndEachClientHasItsOwn)
{
    coord::api::RateLimiter limiter(10, 3);  // 10/s: one request per 100 ms, 3 at once
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(limiter.admit("alice", 1000).ok());
    auto refused = limiter.admit("alice", 1000);
    EXPECT_TRUE(absl::IsResourceExhausted(refused));
    EXPECT_EQ(refused.message(),
              "rate limit of 10 requests/s for client alice exceeded; retry "
              "after ~100 ms (the coordinator's --rate-limit)");
    EXPECT_TRUE(limiter.admit("bob", 1000).ok());
    EXPECT_TRUE(absl::IsResourceExhausted(limiter.admit("alice", 1060)));
    EXPECT_TRUE(limiter.admit("alice", 1110).ok());
    EXPECT_TRUE(absl::IsResourceExhausted(limiter.admit("alice", 1110)));
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(limiter.admit("alice", 60000).ok()) << "a full bucket again, not more";
    EXPECT_FALSE(limiter.admit("alice", 60000).ok());
    coord::api::RateLimiter off(0, 0);
    for (int i = 0; i < 100; ++i)
        EXPECT_TRUE(off.admit("alice", 0).ok());
}

}  // namespace
