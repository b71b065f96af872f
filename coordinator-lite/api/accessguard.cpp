#include "accessguard.h"

#include "engine/engine.h"

#include <chrono>
#include <future>

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
    // Refusals are rare; answering only once the entry is on disk keeps the log complete.
    std::promise<void> written;
    m_engine.audit(std::move(entry), [&written] { written.set_value(); });
    written.get_future().wait_for(std::chrono::seconds(5));
    return actor;
}

}  // namespace coord::api
