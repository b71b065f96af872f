#include "coordinatorservice.h"

#include "protoconvert.h"
#include "statusmapping.h"
#include "watchreactor.h"

#include "engine/eventhub.h"
#include "storage/store.h"

#include <chrono>

namespace coord::api {
namespace {

int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

grpc::ServerUnaryReactor *finish(grpc::CallbackServerContext *context, const grpc::Status &status)
{
    auto *reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
}

}  // namespace

CoordinatorService::CoordinatorService(storage::Store &store, engine::EventHub &hub,
                                       std::string instanceId)
    : m_store(store), m_hub(hub), m_instanceId(std::move(instanceId))
{
}

grpc::ServerUnaryReactor *CoordinatorService::Ping(grpc::CallbackServerContext *context,
                                                   const pb::PingRequest *, pb::PingReply *reply)
{
    reply->set_version(TXDESK_VERSION);
    reply->set_instance_id(m_instanceId);
    reply->set_now_ms(nowMs());
    reply->set_last_seq(m_hub.lastSeq());
    return finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor *CoordinatorService::Get(grpc::CallbackServerContext *context,
                                                  const pb::GetRequest *request,
                                                  pb::Transaction *reply)
{
    if (request->gid().empty())
        return finish(context, {grpc::StatusCode::INVALID_ARGUMENT, "gid: must not be empty"});
    auto tx = m_store.get(request->gid());
    if (!tx.ok())
        return finish(context, toGrpc(tx.status()));
    toProto(*tx, reply);
    return finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor *CoordinatorService::List(grpc::CallbackServerContext *context,
                                                   const pb::ListRequest *request,
                                                   pb::ListReply *reply)
{
    auto query = fromProto(*request);
    if (!query.ok())
        return finish(context, toGrpc(query.status()));
    auto page = m_store.list(*query);
    if (!page.ok())
        return finish(context, toGrpc(page.status()));
    for (const auto &t : page->transactions)
        toProto(t, reply->add_transactions());
    if (page->nextCursor > 0)
        reply->set_next_cursor(std::to_string(page->nextCursor));
    reply->set_last_seq(page->lastSeq);
    return finish(context, grpc::Status::OK);
}

grpc::ServerWriteReactor<pb::Event> *CoordinatorService::Watch(grpc::CallbackServerContext *context,
                                                               const pb::WatchRequest *request)
{
    return startWatch(context, request, m_store, m_hub);
}

}  // namespace coord::api
