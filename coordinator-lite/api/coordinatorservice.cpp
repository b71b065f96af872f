#include "coordinatorservice.h"

#include "accessguard.h"
#include "protoconvert.h"
#include "stats/dashboardhistory.h"
#include "statusmapping.h"
#include "watchstream.h"

#include "engine/engine.h"
#include "engine/eventhub.h"
#include "storage/store.h"

#include <chrono>

namespace coord::api {
namespace {

constexpr int kMaxGetMany = 1000;  // gids per GetMany (the proto says so)

int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

UnaryReactor *finish(RpcContext *context, const grpc::Status &status)
{
    auto *reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
}

// Answers with the transaction the engine hands back (later, on an engine thread).
engine::Engine::Done replyWith(UnaryReactor *reactor, pb::Transaction *out)
{
    return [reactor, out](absl::StatusOr<domain::Transaction> tx) {
        if (tx.ok())
            toProto(*tx, out);
        reactor->Finish(toGrpc(tx.status()));
    };
}

engine::Engine::AnswerWhen answerWhen(bool wait)
{
    return wait ? engine::Engine::AnswerWhen::Finished : engine::Engine::AnswerWhen::Durable;
}

}  // namespace

CoordinatorService::CoordinatorService(storage::Store &store, engine::EventHub &hub,
                                       engine::Engine &engine,
                                       const stats::DashboardHistory &history, AccessGuard &guard,
                                       std::string instanceId, const ClientLimits &limits)
    : m_store(store),
      m_hub(hub),
      m_engine(engine),
      m_history(history),
      m_guard(guard),
      m_instanceId(std::move(instanceId)),
      m_watchSlots(limits.maxWatchesPerClient, limits.maxWatches)
{}

void CoordinatorService::serveOn(RpcLoop &loop)
{
    using S = ::txdesk::v1::Coordinator::AsyncService;
    using Self = CoordinatorService;
    using Run = RpcLoop::Run;
    loop.unary(&m_async, &S::RequestPing, this, &Self::Ping, Run::Inline);
    loop.unary(&m_async, &S::RequestSubmit, this, &Self::Submit, Run::Inline);
    loop.unary(&m_async, &S::RequestGet, this, &Self::Get, Run::OnWorker);
    loop.unary(&m_async, &S::RequestGetMany, this, &Self::GetMany, Run::OnWorker);
    loop.unary(&m_async, &S::RequestList, this, &Self::List, Run::OnWorker);
    loop.unary(&m_async, &S::RequestHistory, this, &Self::History, Run::Inline);
    loop.unary(&m_async, &S::RequestPrepare, this, &Self::Prepare, Run::Inline);
    loop.unary(&m_async, &S::RequestRegisterBranch, this, &Self::RegisterBranch, Run::Inline);
    loop.unary(&m_async, &S::RequestSubmitPrepared, this, &Self::SubmitPrepared, Run::Inline);
    loop.unary(&m_async, &S::RequestAbortPrepared, this, &Self::AbortPrepared, Run::Inline);
    serveWatch(loop, m_async, {m_guard, m_watchSlots, m_store, m_hub});
}

UnaryReactor *CoordinatorService::Ping(RpcContext *context, const pb::PingRequest *,
                                       pb::PingReply *reply)
{
    auto actor = m_guard.check(*context, domain::Role::Viewer, "Ping");
    if (!actor.ok())
        return finish(context, toGrpc(actor.status()));
    reply->set_caller(actor->who);
    reply->set_role(domain::toString(actor->role));
    reply->set_version(TXDESK_VERSION);
    reply->set_instance_id(m_instanceId);
    reply->set_now_ms(nowMs());
    reply->set_last_seq(m_hub.lastSeq());
    return finish(context, grpc::Status::OK);
}

UnaryReactor *CoordinatorService::Get(RpcContext *context, const pb::GetRequest *request,
                                      pb::Transaction *reply)
{
    if (auto actor = m_guard.check(*context, domain::Role::Viewer, "Get", request->gid());
        !actor.ok())
        return finish(context, toGrpc(actor.status()));
    if (request->gid().empty())
        return finish(context, {grpc::StatusCode::INVALID_ARGUMENT, "gid: must not be empty"});
    auto tx = m_store.get(request->gid());
    if (!tx.ok())
        return finish(context, toGrpc(tx.status()));
    toProto(*tx, reply);
    return finish(context, grpc::Status::OK);
}

UnaryReactor *CoordinatorService::GetMany(RpcContext *context, const pb::GetManyRequest *request,
                                          pb::GetManyReply *reply)
{
    if (auto actor = m_guard.check(*context, domain::Role::Viewer, "GetMany"); !actor.ok())
        return finish(context, toGrpc(actor.status()));
    if (request->gids_size() > kMaxGetMany)
        return finish(context,
                      {grpc::StatusCode::INVALID_ARGUMENT,
                       "gids: at most " + std::to_string(kMaxGetMany) + " per call"});
    for (const std::string &gid : request->gids()) {
        // The newest attempt of each operation is enough for a record; the rest stay stored.
        auto tx = m_store.get(gid, /*attemptLimit=*/1);
        if (tx.ok())
            toProto(*tx, reply->add_transactions());
        else if (absl::IsNotFound(tx.status()))
            reply->add_unknown(gid);
        else
            return finish(context, toGrpc(tx.status()));
    }
    if (request->history_since_ms() > 0) {
        domain::ListQuery older;
        older.createdBeforeMs = request->history_since_ms();
        older.limit = 1;
        auto page = m_store.list(older);
        if (!page.ok())
            return finish(context, toGrpc(page.status()));
        reply->set_history_reaches(!page->transactions.empty());
    }
    return finish(context, grpc::Status::OK);
}

UnaryReactor *CoordinatorService::List(RpcContext *context, const pb::ListRequest *request,
                                       pb::ListReply *reply)
{
    if (auto actor = m_guard.check(*context, domain::Role::Viewer, "List"); !actor.ok())
        return finish(context, toGrpc(actor.status()));
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

UnaryReactor *CoordinatorService::History(RpcContext *context, const pb::HistoryRequest *request,
                                          pb::HistoryReply *reply)
{
    if (auto actor = m_guard.check(*context, domain::Role::Viewer, "History"); !actor.ok())
        return finish(context, toGrpc(actor.status()));
    toProto(m_history.query(fromProto(*request)), reply);
    return finish(context, grpc::Status::OK);
}

UnaryReactor *CoordinatorService::Submit(RpcContext *context, const pb::SubmitRequest *request,
                                         pb::SubmitReply *reply)
{
    auto actor = m_guard.check(*context, domain::Role::Operator, "Submit", request->gid());
    if (!actor.ok())
        return finish(context, toGrpc(actor.status()));
    if (request->flow_json().empty())
        return finish(context,
                      {grpc::StatusCode::INVALID_ARGUMENT, "flow_json: must not be empty"});
    auto faults = fromProto(request->faults());
    if (!faults.ok())
        return finish(context, toGrpc(faults.status()));
    engine::SubmitCommand command{request->flow_json(), request->gid(), request->business_key(),
                                  request->payload_override_json(), request->wait()};
    command.faults = std::move(*faults);
    command.actor = *actor;
    auto *reactor = context->DefaultReactor();
    m_engine.submit(std::move(command), replyWith(reactor, reply->mutable_transaction()));
    return reactor;
}

UnaryReactor *CoordinatorService::Prepare(RpcContext *context, const pb::PrepareRequest *request,
                                          pb::PrepareReply *reply)
{
    if (auto actor = m_guard.check(*context, domain::Role::Operator, "Prepare", request->gid());
        !actor.ok())
        return finish(context, toGrpc(actor.status()));
    if (request->timeout_to_fail_ms() < 0 || request->request_timeout_ms() < 0
        || request->retry_interval_ms() < 0)
        return finish(context, {grpc::StatusCode::INVALID_ARGUMENT, "timeouts must be >= 0"});
    auto *reactor = context->DefaultReactor();
    m_engine.prepare({request->gid(), request->business_key(), request->timeout_to_fail_ms(),
                      request->request_timeout_ms(), request->retry_interval_ms()},
                     replyWith(reactor, reply->mutable_transaction()));
    return reactor;
}

UnaryReactor *CoordinatorService::RegisterBranch(RpcContext *context,
                                                 const pb::RegisterBranchRequest *request,
                                                 pb::Empty *)
{
    if (auto actor = m_guard.check(*context, domain::Role::Operator, "RegisterBranch",
                                   request->gid());
        !actor.ok())
        return finish(context, toGrpc(actor.status()));
    if (request->gid().empty())
        return finish(context, {grpc::StatusCode::INVALID_ARGUMENT, "gid: must not be empty"});
    auto *reactor = context->DefaultReactor();
    m_engine.registerBranch({request->gid(), request->branch_id(), request->name(),
                             request->confirm(), request->cancel(), request->payload()},
                            [reactor](absl::Status s) { reactor->Finish(toGrpc(s)); });
    return reactor;
}

UnaryReactor *CoordinatorService::SubmitPrepared(RpcContext *context,
                                                 const pb::FinishRequest *request,
                                                 pb::SubmitReply *reply)
{
    if (auto actor = m_guard.check(*context, domain::Role::Operator, "SubmitPrepared",
                                   request->gid());
        !actor.ok())
        return finish(context, toGrpc(actor.status()));
    if (request->gid().empty())
        return finish(context, {grpc::StatusCode::INVALID_ARGUMENT, "gid: must not be empty"});
    auto *reactor = context->DefaultReactor();
    m_engine.finishPrepared(request->gid(), engine::Engine::Finish::Commit, {},
                            answerWhen(request->wait()),
                            replyWith(reactor, reply->mutable_transaction()));
    return reactor;
}

UnaryReactor *CoordinatorService::AbortPrepared(RpcContext *context,
                                                const pb::FinishRequest *request,
                                                pb::SubmitReply *reply)
{
    if (auto actor = m_guard.check(*context, domain::Role::Operator, "AbortPrepared",
                                   request->gid());
        !actor.ok())
        return finish(context, toGrpc(actor.status()));
    if (request->gid().empty())
        return finish(context, {grpc::StatusCode::INVALID_ARGUMENT, "gid: must not be empty"});
    auto *reactor = context->DefaultReactor();
    m_engine.finishPrepared(
        request->gid(), engine::Engine::Finish::Abort,
        request->reason().empty() ? std::string("aborted by the client") : request->reason(),
        answerWhen(request->wait()), replyWith(reactor, reply->mutable_transaction()));
    return reactor;
}

}  // namespace coord::api
