#pragma once

#include "authorizer.h"

namespace coord::engine {
class Engine;
}

namespace coord::api {

// Checks every RPC's caller and writes each refusal to the audit log.
class AccessGuard
{
public:
    AccessGuard(const Authorizer &authorizer, engine::Engine &engine)
        : m_authorizer(authorizer), m_engine(engine)
    {
    }

    absl::StatusOr<domain::Actor> check(const grpc::ServerContextBase &context,
                                        domain::Role required, const char *rpc,
                                        const std::string &gid = {}) const;

private:
    const Authorizer &m_authorizer;
    engine::Engine &m_engine;
};

}  // namespace coord::api
