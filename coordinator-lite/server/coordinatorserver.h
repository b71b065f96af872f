#pragma once

#include "serveroptions.h"

#include <absl/status/statusor.h>

#include <memory>
#include <string>

namespace grpc {
class Server;
class ServerCredentials;
}  // namespace grpc

namespace coord::storage {
class DatabaseLock;
class Store;
}  // namespace coord::storage
namespace coord::engine {
class BranchInvoker;
class Committer;
class Engine;
class EventHub;
class EventFollower;
class SystemClock;
}  // namespace coord::engine
namespace coord::invokers {
class SimInvoker;
class FaultingInvoker;
}  // namespace coord::invokers
namespace coord::dtm {
class DtmService;
class DtmHttpServer;
class DtmGrpcService;
}  // namespace coord::dtm
namespace coord::api {
class AccessGuard;
class AdminService;
class Authorizer;
class CoordinatorService;
class HealthService;
class RpcLoop;
}  // namespace coord::api

namespace coord::stats {
class DashboardHistory;
}

namespace coord::server {

class MetricsServer;

// Assembles one coordinator instance: store, engine, gRPC services; owns their lifetimes.
class CoordinatorServer
{
public:
    static absl::StatusOr<std::unique_ptr<CoordinatorServer>> start(const ServerOptions &options);
    ~CoordinatorServer();

    std::string address() const { return m_address; }
    std::string metricsAddress() const { return m_metricsAddress; }
    std::string dtmAddress() const { return m_dtmAddress; }  // DTM HTTP API, when served
    // Stops accepting, finishes streams and in-flight calls, then returns.
    void shutdown();

private:
    CoordinatorServer() = default;
    absl::Status openStorage(const ServerOptions &options);
    absl::Status startEngine(const ServerOptions &options);
    absl::Status startApis(const ServerOptions &options,
                           std::shared_ptr<grpc::ServerCredentials> credentials);

    // Declared in construction order; destroyed in reverse.
    std::unique_ptr<storage::Store> m_store;
    storage::DatabaseLock *m_dbLock = nullptr;  // SQLite only; owned by the store
    std::unique_ptr<engine::EventHub> m_hub;
    std::unique_ptr<engine::Committer> m_committer;
    std::unique_ptr<engine::EventFollower> m_follower;  // shared stores only
    // In front of the router, where fault injection is allowed; destroyed after the invokers
    // whose answers it may still be owed.
    std::unique_ptr<invokers::FaultingInvoker> m_faults;
    std::unique_ptr<engine::BranchInvoker> m_http;
    std::unique_ptr<engine::BranchInvoker> m_grpc;
    std::unique_ptr<invokers::SimInvoker> m_sim;
    std::unique_ptr<engine::BranchInvoker> m_router;
    std::unique_ptr<engine::SystemClock> m_clock;
    std::unique_ptr<MetricsServer> m_metrics;
    std::unique_ptr<stats::DashboardHistory> m_history;
    std::unique_ptr<engine::Engine> m_engine;
    std::unique_ptr<api::Authorizer> m_authorizer;
    std::unique_ptr<api::AccessGuard> m_guard;
    std::unique_ptr<api::CoordinatorService> m_service;
    std::unique_ptr<api::AdminService> m_admin;
    std::unique_ptr<dtm::DtmService> m_dtm;
    std::unique_ptr<dtm::DtmGrpcService> m_dtmGrpc;
    std::unique_ptr<api::HealthService> m_health;
    std::unique_ptr<dtm::DtmHttpServer> m_dtmHttp;
    std::unique_ptr<api::RpcLoop> m_rpcLoop;  // declared before the server: outlives it
    std::unique_ptr<grpc::Server> m_server;
    std::string m_address;
    std::string m_metricsAddress;
    std::string m_dtmAddress;
    bool m_stopped = false;
};

}  // namespace coord::server
