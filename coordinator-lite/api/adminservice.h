#pragma once

#include "rpcloop.h"

#include "txdesk/v1/coordinator.grpc.pb.h"

namespace coord::storage {
class Store;
}
namespace coord::engine {
class Engine;
}

namespace coord::api {

class AccessGuard;

// The txdesk.v1.Admin service: operator actions, each a thin adapter onto Engine::act.
class AdminService final
{
public:
    AdminService(storage::Store &store, engine::Engine &engine, AccessGuard &guard);

    using Reactor = UnaryReactor;
    using Ctx = RpcContext;
    Reactor *CancelBranch(Ctx *c, const ::txdesk::v1::ActionRequest *r,
                          ::txdesk::v1::ActionReply *out);
    Reactor *Abort(Ctx *c, const ::txdesk::v1::ActionRequest *r, ::txdesk::v1::ActionReply *out);
    Reactor *MarkFailed(Ctx *c, const ::txdesk::v1::ActionRequest *r,
                        ::txdesk::v1::ActionReply *out);
    Reactor *Pause(Ctx *c, const ::txdesk::v1::ActionRequest *r, ::txdesk::v1::ActionReply *out);
    Reactor *Resume(Ctx *c, const ::txdesk::v1::ActionRequest *r, ::txdesk::v1::ActionReply *out);
    Reactor *Retry(Ctx *c, const ::txdesk::v1::RetryRequest *r, ::txdesk::v1::RetryReply *out);
    Reactor *Resolve(Ctx *c, const ::txdesk::v1::ResolveRequest *r, ::txdesk::v1::ActionReply *out);
    Reactor *ListAudit(Ctx *c, const ::txdesk::v1::ListAuditRequest *r,
                       ::txdesk::v1::ListAuditReply *out);
    Reactor *AuditBarrierPrune(Ctx *c, const ::txdesk::v1::BarrierPruneRequest *r,
                               ::txdesk::v1::AuditEntry *out);

    // The service to register with the server builder, and its methods on `loop` (on its
    // workers: an action may read the store).
    grpc::Service *service() { return &m_async; }
    void serveOn(RpcLoop &loop);

private:
    Reactor *act(Ctx *c, int action, const ::txdesk::v1::ActionRequest *r,
                 ::txdesk::v1::ActionReply *out);

    ::txdesk::v1::Admin::AsyncService m_async;
    storage::Store &m_store;
    engine::Engine &m_engine;
    AccessGuard &m_guard;
};

}  // namespace coord::api
