#pragma once

#include "bankledger.h"
#include "grpcbank.h"
#include "httpbank.h"

#include "engine/clock.h"
#include "engine/committer.h"
#include "engine/engine.h"
#include "engine/eventhub.h"
#include "invokers/grpcinvoker.h"
#include "invokers/httpinvoker.h"
#include "invokers/routinginvoker.h"
#include "invokers/siminvoker.h"
#include "storage/sqlite/sqlitestore.h"
#include "support/childprocess.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <set>

namespace testsupport {

// A whole coordinator engine in the test process — real SQLite file, real HTTP and gRPC
// participants on loopback — with a manual clock: retries and timeouts happen when the test
// moves the clock and calls runOnce(), never on their own.
class EngineHarness : public ::testing::Test
{
protected:
    using Json = nlohmann::json;

    void SetUp() override
    {
        m_dir = makeTempDir("txdesk-engine");
        m_ledger = std::make_unique<BankLedger>(m_dir + "/bank.db");
        m_ledger->setBalance("A", 100);
        m_ledger->setBalance("B", 100);
        m_ledger->setBalance("C", 100);
        m_http = std::make_unique<HttpBank>(*m_ledger);
        ASSERT_TRUE(m_http->start());
        m_grpc = std::make_unique<GrpcBank>(*m_ledger);
        ASSERT_TRUE(m_grpc->start());
        openEngine();
    }

    void TearDown() override
    {
        closeEngine();
        m_grpc.reset();
        m_http.reset();
        m_ledger.reset();
        std::filesystem::remove_all(m_dir);
    }

    void openEngine(const std::string &instance = "test-instance")
    {
        auto store = coord::storage::SqliteStore::open(m_dir + "/coordinator.db");
        ASSERT_TRUE(store.ok()) << store.status();
        m_store = std::move(*store);
        m_hub = std::make_unique<coord::engine::EventHub>(*m_store->lastSeq());
        m_listener = m_hub->addListener([this] {
            std::lock_guard lock(m_eventMutex);
            ++m_eventCount;
            m_eventCv.notify_all();
        });
        m_committer = std::make_unique<coord::engine::Committer>(engineStore(), *m_hub);
        m_httpInvoker = std::make_unique<coord::invokers::HttpInvoker>();
        m_grpcInvoker = std::make_unique<coord::invokers::GrpcInvoker>();
        m_sim = std::make_unique<coord::invokers::SimInvoker>();
        m_router = std::make_unique<coord::invokers::RoutingInvoker>(*m_httpInvoker, *m_grpcInvoker,
                                                                     *m_sim);
        coord::engine::EngineConfig config;
        config.instanceId = instance;
        config.processor.preparedTimeoutMs = 10000;
        m_engine = std::make_unique<coord::engine::Engine>(engineStore(), *m_committer, *m_router,
                                                           m_clock, config);
    }

    // The store the engine and its committer use: the SQLite store, unless a test puts
    // something between them (a store that fails on cue).
    virtual coord::storage::Store &engineStore() { return *m_store; }

    void closeEngine()
    {
        if (!m_engine)
            return;
        m_engine->stop(std::chrono::seconds(5));
        m_committer->stop();
        m_engine.reset();
        m_router.reset();
        m_sim.reset();
        m_grpcInvoker.reset();
        m_httpInvoker.reset();
        m_committer.reset();
        m_hub.reset();
        m_store.reset();
    }

    // Submits and waits for the engine's answer (durable, a round, or final per the options).
    absl::StatusOr<coord::domain::Transaction> submit(const Json &flow, const std::string &gid = {},
                                                      bool wait = false,
                                                      const std::string &overrides = {})
    {
        std::promise<absl::StatusOr<coord::domain::Transaction>> answer;
        auto f = answer.get_future();
        m_engine->submit({flow.dump(), gid, "", overrides, wait},
                         [&answer](absl::StatusOr<coord::domain::Transaction> r) {
                             answer.set_value(std::move(r));
                         });
        if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
            return absl::DeadlineExceededError("no answer from the engine within 30 s");
        return f.get();
    }

    // Client-driven TCC: registers a branch of the HTTP bank (Trans<side>Confirm / Cancel);
    // the future holds the engine's answer.
    std::future<absl::Status> registerBranchAsync(const std::string &gid, const std::string &id,
                                                  const std::string &side,
                                                  const std::string &account, int amount)
    {
        auto answer = std::make_shared<std::promise<absl::Status>>();
        auto future = answer->get_future();
        Json payload = {{"account", account}, {"amount", amount}};
        m_engine->registerBranch({gid, id, "", m_http->url("Trans" + side + "Confirm"),
                                  m_http->url("Trans" + side + "Cancel"), payload.dump()},
                                 [answer](absl::Status s) { answer->set_value(s); });
        return future;
    }
    absl::Status registerBranch(const std::string &gid, const std::string &id,
                                const std::string &side, const std::string &account, int amount)
    {
        return registerBranchAsync(gid, id, side, account, amount).get();
    }

    // What the client does itself in client-driven TCC: call try on the participant.
    BankReply clientTry(const std::string &gid, const std::string &id, const std::string &side,
                        const std::string &account, int amount)
    {
        Json payload = {{"account", account}, {"amount", amount}};
        return m_ledger->handle("Trans" + side + "Try", {"tcc", gid, id, "try"}, payload.dump());
    }

    // Waits until no call or write is under way: every transaction finished or waiting.
    bool settle(std::chrono::milliseconds timeout = std::chrono::seconds(20))
    {
        return settle(*m_engine, timeout);
    }
    // The same for another engine on this store (several instances).
    bool settle(coord::engine::Engine &engine,
                std::chrono::milliseconds timeout = std::chrono::seconds(20))
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        std::unique_lock lock(m_eventMutex);
        while (engine.busyCount() > 0) {
            if (std::chrono::steady_clock::now() >= deadline)
                return false;
            m_eventCv.wait_for(lock, std::chrono::milliseconds(20));
        }
        return true;
    }

    // Moves time forward and resumes what is due, then waits for it to settle.
    int advance(int64_t ms)
    {
        m_clock.advance(ms);
        int taken = m_engine->runOnce(m_clock.nowMs());
        EXPECT_TRUE(settle());
        return taken;
    }

    coord::domain::Transaction get(const std::string &gid)
    {
        auto tx = m_store->get(gid);
        EXPECT_TRUE(tx.ok()) << tx.status();
        return tx.ok() ? *tx : coord::domain::Transaction{};
    }

    static const coord::domain::Operation &op(const coord::domain::Transaction &tx,
                                              const std::string &branch, coord::domain::OpKind k)
    {
        static const coord::domain::Operation none;
        const coord::domain::Branch *b = tx.findBranch(branch);
        const coord::domain::Operation *o = b ? b->find(k) : nullptr;
        return o ? *o : none;
    }

    // A transfer saga: A -> B over the HTTP bank.
    Json transferSaga(int64_t amount, Json options = Json::object())
    {
        Json out = {{"id", "out"},
                    {"action", m_http->url("TransOut")},
                    {"compensate", m_http->url("TransOutCompensate")},
                    {"payload", {{"account", "A"}, {"amount", amount}}}};
        Json in = {{"id", "in"},
                   {"after", {"out"}},
                   {"action", m_http->url("TransIn")},
                   {"compensate", m_http->url("TransInCompensate")},
                   {"payload", {{"account", "B"}, {"amount", amount}}}};
        options["retry_interval_ms"] = options.value("retry_interval_ms", 1000);
        options["wait_result"] = options.value("wait_result", true);
        return {
            {"name", "transfer"}, {"type", "SAGA"}, {"options", options}, {"branches", {out, in}}};
    }

    std::string m_dir;
    coord::engine::ManualClock m_clock;
    std::unique_ptr<BankLedger> m_ledger;
    std::unique_ptr<HttpBank> m_http;
    std::unique_ptr<GrpcBank> m_grpc;
    std::unique_ptr<coord::storage::SqliteStore> m_store;
    std::unique_ptr<coord::engine::EventHub> m_hub;
    std::unique_ptr<coord::engine::Committer> m_committer;
    std::unique_ptr<coord::invokers::HttpInvoker> m_httpInvoker;
    std::unique_ptr<coord::invokers::GrpcInvoker> m_grpcInvoker;
    std::unique_ptr<coord::invokers::SimInvoker> m_sim;
    std::unique_ptr<coord::invokers::RoutingInvoker> m_router;
    std::unique_ptr<coord::engine::Engine> m_engine;
    int m_listener = 0;
    std::mutex m_eventMutex;
    std::condition_variable m_eventCv;
    int64_t m_eventCount = 0;
};

}  // namespace testsupport
