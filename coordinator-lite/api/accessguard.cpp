#include "accessguard.h"

#include "engine/engine.h"

#include <chrono>

namespace coord::api {

absl::StatusOr<domain::Actor> AccessGuard::check(const grpc::ServerContextBase &context,
                                                 domain::Role required, const char *rpc,
                                                 const std::string &gid) const
{
    auto actor = m_authorizer.authorize(context, required, rpc);
    if (actor.ok())
        return actor;
    using namespace std::chrono;
    domain::AuditEntry entry;
    entry.atMs = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    entry.who = m_authorizer.callerName(context);
    entry.role = "-";
    entry.action = rpc;
    entry.gid = gid;
    entry.outcome = std::string(actor.status().message());
    entry.detail = "refused";
    m_engine.audit(std::move(entry));
    return actor;
}

}  // namespace coord::api
