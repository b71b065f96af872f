#pragma once

#include "authorizer.h"
#include "clientlimits.h"
#include "ratelimiter.h"

namespace coord::engine {
class Engine;
}

namespace coord::api {

// Checks every RPC's caller: its role, and its request rate. Writes each refusal of a role to
// the audit log (a refusal for rate is not written: that would turn a flood into disk writes).
class AccessGuard
{
public:
    AccessGuard(const Authorizer &authorizer, engine::Engine &engine, const ClientLimits &limits)
        : m_authorizer(authorizer),
          m_engine(engine),
          m_rateLimiter(limits.rateLimit, limits.rateBurst)
    {}

    absl::StatusOr<domain::Actor> check(const grpc::ServerContextBase &context,
                                        domain::Role required, const char *rpc,
                                        const std::string &gid = {});

    // The same for the DTM HTTP API: its token (null when none was sent) and peer address.
    absl::StatusOr<domain::Actor> checkToken(const std::string *token, const std::string &peer,
                                             domain::Role required, const char *rpc,
                                             const std::string &gid = {});

    // Who the limits count the call against: the token's name, or without a valid token the
    // peer's address (without its port, so new connections do not make a new client).
    std::string clientOf(const grpc::ServerContextBase &context) const;

private:
    std::string clientOf(const grpc::ServerContextBase &context,
                         const absl::StatusOr<domain::Actor> &actor) const;
    // Rate and refusal audit, the same for both kinds of caller.
    absl::StatusOr<domain::Actor> admit(absl::StatusOr<domain::Actor> actor,
                                        const std::string &client, const std::string &callerName,
                                        const char *rpc, const std::string &gid);

    const Authorizer &m_authorizer;
    engine::Engine &m_engine;
    RateLimiter m_rateLimiter;
};

}  // namespace coord::api
