#pragma once

#include "arenamessageallocator.h"
#include "clientlimits.h"
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
class CoordinatorService final : public ::txdesk::v1::Coordinator::CallbackService
{
public:
    CoordinatorService(storage::Store &store, engine::EventHub &hub, engine::Engine &engine,
                       const stats::DashboardHistory &history, AccessGuard &guard,
                       std::string instanceId, const ClientLimits &limits);

    grpc::ServerUnaryReactor *Ping(grpc::CallbackServerContext *context,
                                   const ::txdesk::v1::PingRequest *request,
                                   ::txdesk::v1::PingReply *reply) override;
    grpc::ServerUnaryReactor *Get(grpc::CallbackServerContext *context,
                                  const ::txdesk::v1::GetRequest *request,
                                  ::txdesk::v1::Transaction *reply) override;
    grpc::ServerUnaryReactor *GetMany(grpc::CallbackServerContext *context,
                                      const ::txdesk::v1::GetManyRequest *request,
                                      ::txdesk::v1::GetManyReply *reply) override;
    grpc::ServerUnaryReactor *List(grpc::CallbackServerContext *context,
                                   const ::txdesk::v1::ListRequest *request,
                                   ::txdesk::v1::ListReply *reply) override;
    grpc::ServerUnaryReactor *History(grpc::CallbackServerContext *context,
                                      const ::txdesk::v1::HistoryRequest *request,
                                      ::txdesk::v1::HistoryReply *reply) override;
    grpc::ServerWriteReactor<::txdesk::v1::Event> *Watch(
        grpc::CallbackServerContext *context, const ::txdesk::v1::WatchRequest *request) override;
    grpc::ServerUnaryReactor *Submit(grpc::CallbackServerContext *context,
                                     const ::txdesk::v1::SubmitRequest *request,
                                     ::txdesk::v1::SubmitReply *reply) override;
    grpc::ServerUnaryReactor *Prepare(grpc::CallbackServerContext *context,
                                      const ::txdesk::v1::PrepareRequest *request,
                                      ::txdesk::v1::PrepareReply *reply) override;
    grpc::ServerUnaryReactor *RegisterBranch(grpc::CallbackServerContext *context,
                                             const ::txdesk::v1::RegisterBranchRequest *request,
                                             ::txdesk::v1::Empty *reply) override;
    grpc::ServerUnaryReactor *SubmitPrepared(grpc::CallbackServerContext *context,
                                             const ::txdesk::v1::FinishRequest *request,
                                             ::txdesk::v1::SubmitReply *reply) override;
    grpc::ServerUnaryReactor *AbortPrepared(grpc::CallbackServerContext *context,
                                            const ::txdesk::v1::FinishRequest *request,
                                            ::txdesk::v1::SubmitReply *reply) override;

private:
    storage::Store &m_store;
    engine::EventHub &m_hub;
    engine::Engine &m_engine;
    const stats::DashboardHistory &m_history;
    AccessGuard &m_guard;
    std::string m_instanceId;
    WatchSlots m_watchSlots;
    ArenaMessageAllocator<::txdesk::v1::SubmitRequest, ::txdesk::v1::SubmitReply> m_submitMessages;
};

}  // namespace coord::api
