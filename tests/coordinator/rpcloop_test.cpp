// The gRPC server as clients see it, on a real coordinator process: every service served from
// the coordinator's own loop (api/rpcloop.h) — the standard health service, Watch streams that
// clients open and drop while others follow, and a clean stop with streams still open.
#include "support/coordinatorprocess.h"

#include "grpc/health/v1/health.grpc.pb.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <set>

namespace {

namespace pb = txdesk::v1;
namespace health = grpc::health::v1;
using testsupport::CoordinatorProcess;

class RpcLoopTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = testsupport::makeTempDir("txdesk-rpcloop");
        m_coordinator = std::make_unique<CoordinatorProcess>(m_dir + "/c.db");
        ASSERT_TRUE(m_coordinator->start()) << m_coordinator->output();
        m_channel = grpc::CreateChannel(m_coordinator->address(),
                                        grpc::InsecureChannelCredentials());
    }
    void TearDown() override
    {
        m_coordinator.reset();
        std::filesystem::remove_all(m_dir);
    }

    static void within(grpc::ClientContext &ctx, int seconds)
    {
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
    }

    std::string submitSaga()
    {
        nlohmann::json flow = {{"name", "loop"},
                               {"type", "SAGA"},
                               {"branches",
                                {{{"id", "b0"}, {"action", "sim://ok"}, {"compensate", "sim://ok"}},
                                 {{"id", "b1"},
                                  {"after", {"b0"}},
                                  {"action", "sim://ok"},
                                  {"compensate", "sim://ok"}}}}};
        grpc::ClientContext ctx;
        within(ctx, 10);
        pb::SubmitRequest req;
        req.set_flow_json(flow.dump());
        req.set_wait(true);
        pb::SubmitReply reply;
        auto status = m_coordinator->stub().Submit(&ctx, req, &reply);
        EXPECT_TRUE(status.ok()) << status.error_message() << "\n" << m_coordinator->output();
        EXPECT_EQ(reply.transaction().summary().status(), pb::SUCCEEDED);
        return reply.transaction().summary().gid();
    }

    int64_t lastSeq()
    {
        grpc::ClientContext ctx;
        within(ctx, 10);
        pb::PingReply reply;
        EXPECT_TRUE(m_coordinator->stub().Ping(&ctx, pb::PingRequest(), &reply).ok());
        return reply.last_seq();
    }

    struct Stream {
        grpc::ClientContext ctx;
        std::unique_ptr<grpc::ClientReader<pb::Event>> reader;
        int64_t seq = 0;
        std::set<std::string> finished;  // gids whose transaction reached a final status
    };

    std::unique_ptr<Stream> watch()
    {
        auto s = std::make_unique<Stream>();
        within(s->ctx, 60);
        pb::WatchRequest req;
        req.set_from_seq(0);
        s->reader = m_coordinator->stub().Watch(&s->ctx, req);
        return s;
    }

    // Reads until the stream has delivered every event up to `seq`, each once and in order.
    static void readThrough(Stream &s, int64_t seq)
    {
        pb::Event e;
        while (s.seq < seq) {
            ASSERT_TRUE(s.reader->Read(&e)) << "the stream ended at seq " << s.seq;
            ASSERT_GT(e.seq(), s.seq);
            s.seq = e.seq();
            if (e.kind() == pb::TX_STATUS_CHANGED && e.summary().status() == pb::SUCCEEDED)
                s.finished.insert(e.summary().gid());
        }
    }

    std::string m_dir;
    std::unique_ptr<CoordinatorProcess> m_coordinator;
    std::shared_ptr<grpc::Channel> m_channel;
};

TEST_F(RpcLoopTest, theStandardHealthServiceAnswersForTheServerAndEachOfItsServices)
{
    auto stub = health::Health::NewStub(m_channel);
    for (const char *service : {"", "txdesk.v1.Coordinator", "txdesk.v1.Admin", "dtmgimp.Dtm"}) {
        grpc::ClientContext ctx;
        within(ctx, 10);
        health::HealthCheckRequest req;
        req.set_service(service);
        health::HealthCheckResponse reply;
        auto status = stub->Check(&ctx, req, &reply);
        ASSERT_TRUE(status.ok()) << service << ": " << status.error_message();
        EXPECT_EQ(reply.status(), health::HealthCheckResponse::SERVING) << service;
    }
    {
        grpc::ClientContext ctx;
        within(ctx, 10);
        health::HealthCheckRequest req;
        req.set_service("no.such.Service");
        health::HealthCheckResponse reply;
        EXPECT_EQ(stub->Check(&ctx, req, &reply).error_code(), grpc::StatusCode::NOT_FOUND);
    }
    // Watch: the status at once, then the stream stays open until the client leaves.
    for (auto [service, expected] :
         {std::pair{"", health::HealthCheckResponse::SERVING},
          std::pair{"no.such.Service", health::HealthCheckResponse::SERVICE_UNKNOWN}}) {
        grpc::ClientContext ctx;
        within(ctx, 10);
        health::HealthCheckRequest req;
        req.set_service(service);
        auto reader = stub->Watch(&ctx, req);
        health::HealthCheckResponse reply;
        ASSERT_TRUE(reader->Read(&reply)) << service;
        EXPECT_EQ(reply.status(), expected) << service;
        ctx.TryCancel();
        EXPECT_FALSE(reader->Read(&reply));
        EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
    }
}

TEST_F(RpcLoopTest, watchStreamsDroppedMidwayLeaveTheOthersFollowingEveryEvent)
{
    std::vector<std::unique_ptr<Stream>> streams;
    for (int i = 0; i < 8; ++i)
        streams.push_back(watch());
    std::set<std::string> gids;
    for (int i = 0; i < 5; ++i)
        gids.insert(submitSaga());
    int64_t half = lastSeq();
    for (auto &s : streams)
        readThrough(*s, half);
    // Half the clients leave without reading further; the rest keep following.
    for (int i = 0; i < 4; ++i)
        streams[i]->ctx.TryCancel();
    for (int i = 0; i < 5; ++i)
        gids.insert(submitSaga());
    int64_t all = lastSeq();
    ASSERT_GT(all, half);
    for (int i = 4; i < 8; ++i) {
        readThrough(*streams[i], all);
        EXPECT_EQ(streams[i]->finished, gids) << "stream " << i;
    }
    for (int i = 0; i < 4; ++i) {
        pb::Event e;
        while (streams[i]->reader->Read(&e)) {
        }
        EXPECT_EQ(streams[i]->reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
    }
    // A stop with streams still open ends them and exits cleanly.
    EXPECT_EQ(m_coordinator->terminate(), 0) << m_coordinator->output();
    for (int i = 4; i < 8; ++i) {
        pb::Event e;
        while (streams[i]->reader->Read(&e)) {
        }
        EXPECT_FALSE(streams[i]->reader->Finish().ok());
    }
}

}  // namespace
