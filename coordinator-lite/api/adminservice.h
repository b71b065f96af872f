#pragma once

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
class AdminService final : public ::txdesk::v1::Admin::CallbackService
{
public:
    AdminService(storage::Store &store, engine::Engine &engine, AccessGuard &guard);

    using Reactor = grpc::ServerUnaryReactor;
    using Ctx = grpc::CallbackServerContext;
    Reactor *CancelBranch(Ctx *c, const ::txdesk::v1::ActionRequest *r,
                          ::txdesk::v1::ActionReply *out) override;
    Reactor *Abort(Ctx *c, const ::txdesk::v1::ActionRequest *r,
                   ::txdesk::v1::ActionReply *out) override;
    Reactor *MarkFailed(Ctx *c, const ::txdesk::v1::ActionRequest *r,
                        ::txdesk::v1::ActionReply *out) override;
    Reactor *Pause(Ctx *c, const ::txdesk::v1::ActionRequest *r,
                   ::txdesk::v1::ActionReply *out) override;
    Reactor *Resume(Ctx *c, const ::txdesk::v1::ActionRequest *r,
                    ::txdesk::v1::ActionReply *out) override;
    Reactor *Retry(Ctx *c, const ::txdesk::v1::RetryRequest *r,
                   ::txdesk::v1::RetryReply *out) override;
    Reactor *Resolve(Ctx *c, const ::txdesk::v1::ResolveRequest *r,
                     ::txdesk::v1::ActionReply *out) override;
    Reactor *ListAudit(Ctx *c, const ::txdesk::v1::ListAuditRequest *r,
                       ::txdesk::v1::ListAuditReply *out) override;
    Reactor *AuditBarrierPrune(Ctx *c, const ::txdesk::v1::BarrierPruneRequest *r,
                               ::txdesk::v1::AuditEntry *out) override;

private:
    Reactor *act(Ctx *c, int action, const ::txdesk::v1::ActionRequest *r,
                 ::txdesk::v1::ActionReply *out);

    storage::Store &m_store;
    engine::Engine &m_engine;
    AccessGuard &m_guard;
};

}  // namespace coord::api
