#include "coordinatorserver.h"

#include "api/coordinatorservice.h"
#include "engine/eventhub.h"
#include "storage/sqlitestore.h"

#include <absl/strings/str_cat.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <random>
#include <unistd.h>

namespace coord::server {
namespace {

std::string newInstanceId()
{
    std::random_device rd;
    return absl::StrCat("coord-", ::getpid(), "-", rd() % 100000);
}

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::start(
    const ServerOptions &options)
{
    if (!isLoopbackAddress(options.listen))
        return absl::FailedPreconditionError(absl::StrCat(
            "refusing to listen on non-loopback address ", options.listen,
            " without authentication; configure tokens in --config"));

    std::unique_ptr<CoordinatorServer> self(new CoordinatorServer());
    auto store = storage::SqliteStore::open(
        options.db, options.sqliteSyncFull ? storage::SqliteStore::Sync::Full
                                           : storage::SqliteStore::Sync::Normal);
    if (!store.ok())
        return absl::Status(store.status().code(),
                            absl::StrCat("database ", options.db, ": ", store.status().message()));
    self->m_store = std::move(*store);
    auto last = self->m_store->lastSeq();
    if (!last.ok())
        return last.status();
    self->m_hub = std::make_unique<engine::EventHub>(*last);
    self->m_service = std::make_unique<api::CoordinatorService>(*self->m_store, *self->m_hub,
                                                                newInstanceId());

    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(self->m_service.get());
    self->m_server = builder.BuildAndStart();
    if (!self->m_server || port == 0)
        return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
    std::string host = options.listen.substr(0, options.listen.rfind(':'));
    self->m_address = absl::StrCat(host, ":", port);
    return self;
}

CoordinatorServer::~CoordinatorServer() { shutdown(); }

void CoordinatorServer::shutdown()
{
    if (m_stopped)
        return;
    m_stopped = true;
    if (m_server) {
        // Open Watch streams end with the deadline; unary calls finish normally.
        m_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
        m_server->Wait();
    }
}

}  // namespace coord::server
