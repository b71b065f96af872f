#pragma once

#include "rpcloop.h"

#include "grpc/health/v1/health.grpc.pb.h"

#include <set>
#include <string>

namespace coord::api {

// grpc.health.v1.Health on the loop (gRPC's default health service is a callback service, and
// one of those brings gRPC's own polling threads back). The server ("") and each of its
// services are SERVING while it runs; no token is needed, as for gRPC's default service.
class HealthService final
{
public:
    explicit HealthService(std::set<std::string> services) : m_services(std::move(services)) {}

    grpc::Service *service() { return &m_async; }
    void serveOn(RpcLoop &loop);

    // The server itself ("") or one of its services.
    bool knows(const std::string &service) const
    {
        return service.empty() || m_services.count(service) > 0;
    }

private:
    ::grpc::health::v1::Health::AsyncService m_async;
    const std::set<std::string> m_services;
};

}  // namespace coord::api
