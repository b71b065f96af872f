#pragma once

#include "clientlimits.h"
#include "rpcloop.h"
#include "watchslots.h"

#include "txdesk/v1/coordinator.grpc.pb.h"

#include <string>

namespace coord::storage {
class Store;
}
namespace coord::engine {
class Engine;
class EventHub;
}  // namespace coord::engine
namespace coord::stats {
class DashboardHistory;
}

namespace coord::api {

class AccessGuard;

// The txdesk.v1.Coordinator gRPC service: thin adapters from RPCs to the store and engine.
class CoordinatorService final
{
public:
    CoordinatorService(storage::Store &store, engine::EventHub &hub, engine::Engine &engine,
                       const stats::DashboardHistory &history, AccessGuard &guard,
                       std::string instanceId, const ClientLimits &limits);

    UnaryReactor *Ping(RpcContext *context, const ::txdesk::v1::PingRequest *request,
                       ::txdesk::v1::PingReply *reply);
    UnaryReactor *Get(RpcContext *context, const ::txdesk::v1::GetRequest *request,
                      ::txdesk::v1::Transaction *reply);
    UnaryReactor *GetMany(RpcContext *context, const ::txdesk::v1::GetManyRequest *request,
                          ::txdesk::v1::GetManyReply *reply);
    UnaryReactor *List(RpcContext *context, const ::txdesk::v1::ListRequest *request,
                       ::txdesk::v1::ListReply *reply);
    UnaryReactor *History(RpcContext *context, const ::txdesk::v1::HistoryRequest *request,
                          ::txdesk::v1::HistoryReply *reply);
    UnaryReactor *Submit(RpcContext *context, const ::txdesk::v1::SubmitRequest *request,
                         ::txdesk::v1::SubmitReply *reply);
    UnaryReactor *Prepare(RpcContext *context, const ::txdesk::v1::PrepareRequest *request,
                          ::txdesk::v1::PrepareReply *reply);
    UnaryReactor *RegisterBranch(RpcContext *context,
                                 const ::txdesk::v1::RegisterBranchRequest *request,
                                 ::txdesk::v1::Empty *reply);
    UnaryReactor *SubmitPrepared(RpcContext *context, const ::txdesk::v1::FinishRequest *request,
                                 ::txdesk::v1::SubmitReply *reply);
    UnaryReactor *AbortPrepared(RpcContext *context, const ::txdesk::v1::FinishRequest *request,
                                ::txdesk::v1::SubmitReply *reply);

    // The service to register with the server builder, and its methods on `loop`.
    grpc::Service *service() { return &m_async; }
    void serveOn(RpcLoop &loop);

private:
    ::txdesk::v1::Coordinator::AsyncService m_async;
    storage::Store &m_store;
    engine::EventHub &m_hub;
    engine::Engine &m_engine;
    const stats::DashboardHistory &m_history;
    AccessGuard &m_guard;
    std::string m_instanceId;
    WatchSlots m_watchSlots;
};

}  // namespace coord::api
