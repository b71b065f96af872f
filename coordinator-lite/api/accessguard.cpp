#include "accessguard.h"

#include "engine/engine.h"

#include <grpcpp/server_context.h>

#include <chrono>
#include <future>
#include <memory>

namespace coord::api {

namespace {

int64_t steadyMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string AccessGuard::clientOf(const grpc::ServerContextBase &context,
                                  const absl::StatusOr<domain::Actor> &actor) const
{
    if (actor.ok() && m_authorizer.enabled())
        return actor->who;
    std::string peer = context.peer();  // "ipv4:127.0.0.1:53412", "ipv6:[::1]:53412"
    if (auto colon = peer.rfind(':'); colon != std::string::npos && colon > peer.find(':'))
        peer.resize(colon);
    return peer;
}

std::string AccessGuard::clientOf(const grpc::ServerContextBase &context) const
{
    return clientOf(context, m_authorizer.authorize(context, domain::Role::Viewer, ""));
}

absl::StatusOr<domain::Actor> AccessGuard::check(const grpc::ServerContextBase &context,
                                                 domain::Role required, const char *rpc,
                                                 const std::string &gid)
{
    auto actor = m_authorizer.authorize(context, required, rpc);
    const std::string client = clientOf(context, actor);
    return admit(std::move(actor), client, m_authorizer.callerName(context), rpc, gid);
}

absl::StatusOr<domain::Actor> AccessGuard::checkToken(const std::string *token,
                                                      const std::string &peer,
                                                      domain::Role required, const char *rpc,
                                                      const std::string &gid)
{
    auto actor = m_authorizer.authorizeToken(token, required, rpc);
    const std::string client = actor.ok() && m_authorizer.enabled() ? actor->who : peer;
    return admit(std::move(actor), client, m_authorizer.callerNameOf(token), rpc, gid);
}

absl::StatusOr<domain::Actor> AccessGuard::admit(absl::StatusOr<domain::Actor> actor,
                                                 const std::string &client,
                                                 const std::string &callerName, const char *rpc,
                                                 const std::string &gid)
{
    if (m_rateLimiter.enabled())
        if (auto admitted = m_rateLimiter.admit(client, steadyMs()); !admitted.ok())
            return admitted;
    if (actor.ok())
        return actor;
    using namespace std::chrono;
    domain::AuditEntry entry;
    entry.atMs = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    entry.who = callerName;
    entry.role = "-";
    entry.action = rpc;
    entry.gid = gid;
    entry.outcome = std::string(actor.status().message());
    entry.detail = "refused";
    // Refusals are rare; answering only once the entry is on disk keeps the log complete.
    // (Shared: a write slower than the wait must not set a promise that is gone.)
    auto written = std::make_shared<std::promise<void>>();
    auto onDisk = written->get_future();
    m_engine.audit(std::move(entry), [written](const absl::Status &) { written->set_value(); });
    onDisk.wait_for(std::chrono::seconds(5));
    return actor;
}

}  // namespace coord::api
