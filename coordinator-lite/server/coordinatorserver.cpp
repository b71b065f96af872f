#include "coordinatorserver.h"

#include "api/accessguard.h"
#include "api/adminservice.h"
#include "api/coordinatorservice.h"
#include "dtm/dtmgrpcservice.h"
#include "dtm/dtmhttpserver.h"
#include "dtm/dtmservice.h"
#include "engine/committer.h"
#include "engine/engine.h"
#include "engine/eventfollower.h"
#include "engine/eventhub.h"
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
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <unistd.h>

namespace coord::server {
namespace {

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
    auto store = storage::SqliteStore::open(
        options.db, options.sqliteSyncFull ? storage::SqliteStore::Sync::Full
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

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::start(
    const ServerOptions &options)
{
    for (const std::string *address : {&options.listen, &options.dtmListen})
        if (!address->empty() && !isLoopbackAddress(*address) && options.tokens.empty())
            return absl::FailedPreconditionError(absl::StrCat(
                "refusing to listen on non-loopback address ", *address,
                " without authentication; configure auth.tokens in --config"));
    std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
    if (!options.tlsCert.empty()) {
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
            return absl::NotFoundError(absl::StrCat("cannot read TLS cert/key ", options.tlsCert,
                                                    " / ", options.tlsKey));
        ssl.pem_key_cert_pairs.push_back(pair);
        credentials = grpc::SslServerCredentials(ssl);
    }

    std::unique_ptr<CoordinatorServer> self(new CoordinatorServer());
    auto store = openStore(options, &self->m_dbLock);
    if (!store.ok())
        return store.status();
    self->m_store = std::move(*store);
    auto last = self->m_store->lastSeq();
    if (!last.ok())
        return last.status();
    self->m_hub = std::make_unique<engine::EventHub>(*last);
    if (self->m_store->isShared()) {
        // Other instances commit too: Watch here must see their events as well.
        self->m_hub->setSource(self->m_store.get());
        self->m_follower = std::make_unique<engine::EventFollower>(*self->m_store, *self->m_hub);
    }
    self->m_committer = std::make_unique<engine::Committer>(*self->m_store, *self->m_hub);
    self->m_http = std::make_unique<invokers::HttpInvoker>();
    self->m_grpc = std::make_unique<invokers::GrpcInvoker>();
    self->m_sim = std::make_unique<invokers::SimInvoker>();
    self->m_router =
        std::make_unique<invokers::RoutingInvoker>(*self->m_http, *self->m_grpc, *self->m_sim);
    self->m_clock = std::make_unique<engine::SystemClock>();
    engine::EngineConfig config;
    config.instanceId =
        options.instanceId.empty() ? defaultInstanceId(options.db) : options.instanceId;
    config.leaseMs = options.leaseMs;
    config.maxBackoffMs = options.maxBackoffMs;
    config.processor.preparedTimeoutMs = options.preparedTimeoutMs;
    config.stuck = options.stuck;
    self->m_metrics = std::make_unique<MetricsServer>(*self->m_store, config.instanceId);
    self->m_engine = std::make_unique<engine::Engine>(*self->m_store, *self->m_committer,
                                                      *self->m_router, *self->m_clock, config);
    self->m_engine->setObserver(self->m_metrics.get());
    if (!options.metricsListen.empty()) {
        auto bound = self->m_metrics->start(options.metricsListen);
        if (!bound.ok())
            return bound.status();
        self->m_metricsAddress = *bound;
    }
    auto recovered = self->m_engine->recoverOwned();
    if (!recovered.ok())
        return recovered.status();
    spdlog::info("instance {} on {}; {} unfinished transaction(s) of this instance due for "
                 "recovery",
                 config.instanceId, describeStore(options), *recovered);
    if (!options.tokens.empty())
        spdlog::info("authentication on: {} token(s)", options.tokens.size());
    if (!options.tlsCert.empty())
        spdlog::info("TLS on the gRPC port{}", options.dtmListen.empty() ? "" : " and the DTM API");
    self->m_authorizer = std::make_unique<api::Authorizer>(options.tokens);
    self->m_guard = std::make_unique<api::AccessGuard>(*self->m_authorizer, *self->m_engine,
                                                    options.limits);
    self->m_service = std::make_unique<api::CoordinatorService>(
        *self->m_store, *self->m_hub, *self->m_engine, *self->m_guard, config.instanceId,
        options.limits);
    self->m_admin =
        std::make_unique<api::AdminService>(*self->m_store, *self->m_engine, *self->m_guard);

    self->m_dtm = std::make_unique<dtm::DtmService>(*self->m_store, *self->m_engine);
    self->m_dtmGrpc = std::make_unique<dtm::DtmGrpcService>(*self->m_dtm, *self->m_guard);
    if (!options.dtmListen.empty()) {
        // Simulated participants over HTTP only where anyone may call them: without tokens.
        self->m_dtmHttp = std::make_unique<dtm::DtmHttpServer>(
            *self->m_dtm, *self->m_guard, "coordinator-lite " TXDESK_VERSION,
            options.tokens.empty() ? self->m_sim.get() : nullptr);
        auto bound = self->m_dtmHttp->start(options.dtmListen, options.tlsCert, options.tlsKey);
        if (!bound.ok())
            return bound.status();
        self->m_dtmAddress = *bound;
    }

    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(options.listen, credentials, &port);
    builder.RegisterService(self->m_service.get());
    builder.RegisterService(self->m_admin.get());
    builder.RegisterService(self->m_dtmGrpc.get());
    self->m_server = builder.BuildAndStart();
    if (!self->m_server || port == 0)
        return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
    std::string host = options.listen.substr(0, options.listen.rfind(':'));
    self->m_address = absl::StrCat(host, ":", port);
    if (self->m_dbLock)
        self->m_dbLock->announce(self->m_address, self->m_dtmAddress);
    self->m_engine->start();
    return self;
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
    if (m_committer)
        m_committer->stop();
    if (m_follower)
        m_follower->stop();
    if (m_metrics)
        m_metrics->stop();
}

}  // namespace coord::server
