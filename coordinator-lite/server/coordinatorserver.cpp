#include "coordinatorserver.h"

#include "api/accessguard.h"
#include "api/adminservice.h"
#include "api/coordinatorservice.h"
#include "api/healthservice.h"
#include "api/rpcloop.h"
#include "dtm/dtmgrpcservice.h"
#include "dtm/dtmhttpserver.h"
#include "dtm/dtmservice.h"
#include "engine/committer.h"
#include "engine/engine.h"
#include "engine/eventfollower.h"
#include "stats/dashboardhistory.h"
#include "engine/eventhub.h"
#include "invokers/faultinginvoker.h"
#include "invokers/grpcinvoker.h"
#include "metricsserver.h"
#include "invokers/httpinvoker.h"
#include "invokers/routinginvoker.h"
#include "invokers/siminvoker.h"
#include "storage/postgres/pgstore.h"
#include "storage/sqlite/databaselock.h"
#include "storage/postgres/pq.h"
#include "storage/sqlite/sqlitestore.h"

#include <absl/strings/str_cat.h>
#include <spdlog/spdlog.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <set>
#include <fstream>
#include <functional>
#include <sstream>
#include <unistd.h>

namespace coord::server {
namespace {

// Threads for the calls that may wait on the store (Get, List, operator actions), beside the
// one thread that polls the gRPC calls.
constexpr int kRpcWorkers = 2;

// SQLite: stable for one database on one host, so a restarted coordinator takes back its own
// work at once instead of waiting for its old leases to expire. PostgreSQL: several instances
// may share the database from one host, so each process is its own owner (host/pid); a
// restarted one takes over its predecessor's work when those leases expire.
std::string defaultInstanceId(const std::string &db)
{
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    if (storage::pq::isPostgresUrl(db))
        return absl::StrCat(host, "/pid-", ::getpid());
    return absl::StrCat(host, "/", std::hash<std::string>{}(db) % 1000000);
}

// A postgresql:// URL selects the PostgreSQL store; anything else is a SQLite file, whose lock
// (one live coordinator per file) is returned in *lock to announce the address in.
absl::StatusOr<std::unique_ptr<storage::Store>> openStore(const ServerOptions &options,
                                                          storage::DatabaseLock **lock)
{
    if (storage::pq::isPostgresUrl(options.db)) {
        auto store = storage::PgStore::open(options.db);
        if (!store.ok())
            return store.status();
        return std::unique_ptr<storage::Store>(std::move(*store));
    }
    auto store = storage::SqliteStore::open(options.db,
                                            options.sqliteSyncFull
                                                ? storage::SqliteStore::Sync::Full
                                                : storage::SqliteStore::Sync::Normal);
    if (absl::IsFailedPrecondition(store.status()))
        return store.status();  // in use: the message names the file and its holder
    if (!store.ok())
        return absl::Status(store.status().code(),
                            absl::StrCat("database ", options.db, ": ", store.status().message()));
    *lock = &(*store)->lock();
    return std::unique_ptr<storage::Store>(std::move(*store));
}

std::string describeStore(const ServerOptions &options)
{
    if (storage::pq::isPostgresUrl(options.db))
        return absl::StrCat("PostgreSQL ", storage::pq::redactUrl(options.db));
    return absl::StrCat(options.db, " (sqlite sync ", options.sqliteSyncFull ? "full" : "normal",
                        ")");
}

// Plaintext, or TLS with the configured certificate and key.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> serverCredentials(
    const ServerOptions &options)
{
    if (options.tlsCert.empty())
        return grpc::InsecureServerCredentials();
    {
        auto read = [](const std::string &file, std::string *out) {
            std::ifstream in(file);
            std::stringstream text;
            text << in.rdbuf();
            *out = text.str();
            return static_cast<bool>(in) || !out->empty();
        };
        grpc::SslServerCredentialsOptions ssl;
        grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
        if (!read(options.tlsCert, &pair.cert_chain) || !read(options.tlsKey, &pair.private_key))
            return absl::NotFoundError(
                absl::StrCat("cannot read TLS cert/key ", options.tlsCert, " / ", options.tlsKey));
        ssl.pem_key_cert_pairs.push_back(pair);
        return grpc::SslServerCredentials(ssl);
    }
}

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::start(
    const ServerOptions &options)
{
    for (const std::string *address : {&options.listen, &options.dtmListen})
        if (!address->empty() && !isLoopbackAddress(*address) && options.tokens.empty())
            return absl::FailedPreconditionError(
                absl::StrCat("refusing to listen on non-loopback address ", *address,
                             " without authentication; configure auth.tokens in --config"));
    auto credentials = serverCredentials(options);
    if (!credentials.ok())
        return credentials.status();
    std::unique_ptr<CoordinatorServer> self(new CoordinatorServer());
    if (absl::Status s = self->openStorage(options); !s.ok())
        return s;
    if (absl::Status s = self->startEngine(options); !s.ok())
        return s;
    if (absl::Status s = self->startApis(options, *credentials); !s.ok())
        return s;
    self->m_engine->start();
    return self;
}

// The store, the event hub (following other instances' commits on a shared store), the
// committer.
absl::Status CoordinatorServer::openStorage(const ServerOptions &options)
{
    auto store = openStore(options, &m_dbLock);
    if (!store.ok())
        return store.status();
    m_store = std::move(*store);
    auto last = m_store->lastSeq();
    if (!last.ok())
        return last.status();
    m_hub = std::make_unique<engine::EventHub>(*last);
    if (m_store->isShared()) {
        // Other instances commit too: Watch here must see their events as well.
        m_hub->setSource(m_store.get());
        m_follower = std::make_unique<engine::EventFollower>(*m_store, *m_hub);
    }
    m_committer = std::make_unique<engine::Committer>(*m_store, *m_hub);
    return absl::OkStatus();
}

// The invokers, the engine with its metrics, and recovery of what this instance held.
absl::Status CoordinatorServer::startEngine(const ServerOptions &options)
{
    m_http = std::make_unique<invokers::HttpInvoker>();
    m_grpc = std::make_unique<invokers::GrpcInvoker>();
    m_sim = std::make_unique<invokers::SimInvoker>();
    m_router = std::make_unique<invokers::RoutingInvoker>(*m_http, *m_grpc, *m_sim);
    m_clock = std::make_unique<engine::SystemClock>();
    engine::EngineConfig config;
    config.instanceId = options.instanceId.empty() ? defaultInstanceId(options.db)
                                                   : options.instanceId;
    config.leaseMs = options.leaseMs;
    config.maxBackoffMs = options.maxBackoffMs;
    config.processor.preparedTimeoutMs = options.preparedTimeoutMs;
    config.stuck = options.stuck;
    m_metrics = std::make_unique<MetricsServer>(*m_store, config.instanceId);
    engine::BranchInvoker *invoker = m_router.get();
    if (options.allowFaultInjection) {
        m_faults = std::make_unique<invokers::FaultingInvoker>(*m_router);
        invoker = m_faults.get();
    }
    m_engine = std::make_unique<engine::Engine>(*m_store, *m_committer, *invoker, *m_clock, config);
    if (m_faults) {
        m_engine->setFaultPlans(m_faults.get());
        spdlog::warn("fault injection allowed: operators may submit fault plans");
    }
    m_engine->addObserver(m_metrics.get());
    m_history = std::make_unique<stats::DashboardHistory>(*m_store, *m_hub);
    m_engine->addObserver(m_history.get());
    m_history->start();
    if (!options.metricsListen.empty()) {
        auto bound = m_metrics->start(options.metricsListen);
        if (!bound.ok())
            return bound.status();
        m_metricsAddress = *bound;
    }
    auto recovered = m_engine->recoverOwned();
    if (!recovered.ok())
        return recovered.status();
    spdlog::info("instance {} on {}; {} unfinished transaction(s) of this instance due for "
                 "recovery",
                 config.instanceId, describeStore(options), *recovered);
    if (!options.tokens.empty())
        spdlog::info("authentication on: {} token(s)", options.tokens.size());
    if (!options.tlsCert.empty())
        spdlog::info("TLS on the gRPC port{}", options.dtmListen.empty() ? "" : " and the DTM API");
    return absl::OkStatus();
}

// Access control, the gRPC services (ours and DTM's), DTM's HTTP API, and the gRPC server.
absl::Status CoordinatorServer::startApis(const ServerOptions &options,
                                          std::shared_ptr<grpc::ServerCredentials> credentials)
{
    m_authorizer = std::make_unique<api::Authorizer>(options.tokens);
    m_guard = std::make_unique<api::AccessGuard>(*m_authorizer, *m_engine, options.limits);
    m_service = std::make_unique<api::CoordinatorService>(*m_store, *m_hub, *m_engine, *m_history,
                                                          *m_guard, m_engine->config().instanceId,
                                                          options.limits);
    m_admin = std::make_unique<api::AdminService>(*m_store, *m_engine, *m_guard);

    m_dtm = std::make_unique<dtm::DtmService>(*m_store, *m_engine);
    m_dtmGrpc = std::make_unique<dtm::DtmGrpcService>(*m_dtm, *m_guard);
    if (!options.dtmListen.empty()) {
        // Simulated participants over HTTP only where anyone may call them: without tokens.
        m_dtmHttp = std::make_unique<dtm::DtmHttpServer>(
            *m_dtm, *m_guard, "coordinator-lite " TXDESK_VERSION,
            options.tokens.empty() ? m_sim.get() : nullptr);
        auto bound = m_dtmHttp->start(options.dtmListen, options.tlsCert, options.tlsKey);
        if (!bound.ok())
            return bound.status();
        m_dtmAddress = *bound;
    }

    m_health = std::make_unique<api::HealthService>(std::set<std::string>{
        ::txdesk::v1::Coordinator::service_full_name(), ::txdesk::v1::Admin::service_full_name(),
        ::dtmgimp::Dtm::service_full_name()});
    // Every service on one completion queue that one thread of ours polls (api/rpcloop.h);
    // reflection is the one synchronous service, rarely called.
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(options.listen, credentials, &port);
    m_rpcLoop = std::make_unique<api::RpcLoop>(builder, kRpcWorkers);
    builder.RegisterService(m_service->service());
    builder.RegisterService(m_admin->service());
    builder.RegisterService(m_dtmGrpc->service());
    builder.RegisterService(m_health->service());
    m_service->serveOn(*m_rpcLoop);
    m_admin->serveOn(*m_rpcLoop);
    m_dtmGrpc->serveOn(*m_rpcLoop);
    m_health->serveOn(*m_rpcLoop);
    m_server = builder.BuildAndStart();
    if (!m_server || port == 0)
        return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
    m_rpcLoop->start();
    std::string host = options.listen.substr(0, options.listen.rfind(':'));
    m_address = absl::StrCat(host, ":", port);
    if (m_dbLock)
        m_dbLock->announce(m_address, m_dtmAddress);
    return absl::OkStatus();
}

CoordinatorServer::~CoordinatorServer() { shutdown(); }

void CoordinatorServer::shutdown()
{
    if (m_stopped)
        return;
    m_stopped = true;
    spdlog::info("shutting down: finishing calls in flight");
    // Stop taking work and let calls in flight land, then close the API, then the rest.
    if (m_engine)
        m_engine->stop(std::chrono::seconds(5));
    if (m_dtmHttp)
        m_dtmHttp->stop();
    if (m_server) {
        // Open Watch streams end with the deadline; unary calls finish normally.
        m_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
        m_server->Wait();
    }
    if (m_rpcLoop)
        m_rpcLoop->stop();
    if (m_committer)
        m_committer->stop();
    if (m_follower)
        m_follower->stop();
    if (m_history)
        m_history->stop();
    if (m_metrics)
        m_metrics->stop();
}

}  // namespace coord::server
