#include "adminservice.h"

#include "accessguard.h"
#include "protoconvert.h"
#include "statusmapping.h"

#include "engine/engine.h"
#include "storage/store.h"

#include <absl/strings/str_cat.h>
#include <absl/time/time.h>

#include <chrono>

namespace coord::api {

using namespace domain;

namespace {

UnaryReactor *finish(RpcContext *context, const grpc::Status &status)
{
    auto *reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
}

engine::Engine::ActionDone replyWith(UnaryReactor *reactor, pb::ActionReply *out)
{
    return [reactor, out](absl::StatusOr<ActionOutcome> r) {
        if (r.ok()) {
            toProto(r->plan, out->mutable_plan());
            toProto(r->transaction, out->mutable_transaction());
        }
        reactor->Finish(toGrpc(r.status()));
    };
}

}  // namespace

AdminService::AdminService(storage::Store &store, engine::Engine &engine, AccessGuard &guard)
    : m_store(store), m_engine(engine), m_guard(guard)
{}

void AdminService::serveOn(RpcLoop &loop)
{
    using S = ::txdesk::v1::Admin::AsyncService;
    using Self = AdminService;
    constexpr auto onWorker = RpcLoop::Run::OnWorker;  // an action may read the store
    loop.unary(&m_async, &S::RequestCancelBranch, this, &Self::CancelBranch, onWorker);
    loop.unary(&m_async, &S::RequestAbort, this, &Self::Abort, onWorker);
    loop.unary(&m_async, &S::RequestMarkFailed, this, &Self::MarkFailed, onWorker);
    loop.unary(&m_async, &S::RequestPause, this, &Self::Pause, onWorker);
    loop.unary(&m_async, &S::RequestResume, this, &Self::Resume, onWorker);
    loop.unary(&m_async, &S::RequestRetry, this, &Self::Retry, onWorker);
    loop.unary(&m_async, &S::RequestResolve, this, &Self::Resolve, onWorker);
    loop.unary(&m_async, &S::RequestListAudit, this, &Self::ListAudit, onWorker);
    loop.unary(&m_async, &S::RequestAuditBarrierPrune, this, &Self::AuditBarrierPrune, onWorker);
}

AdminService::Reactor *AdminService::act(Ctx *c, int action, const pb::ActionRequest *r,
                                         pb::ActionReply *out)
{
    auto kind = static_cast<OperatorAction>(action);
    auto actor = m_guard.check(*c, requiredRole(kind), toString(kind).c_str(), r->gid());
    if (!actor.ok())
        return finish(c, toGrpc(actor.status()));
    ActionCommand cmd = fromProto(*r, kind);
    cmd.actor = *actor;
    if (kind == OperatorAction::CancelBranch && cmd.branchId.empty())
        return finish(c, {grpc::StatusCode::INVALID_ARGUMENT, "branch_id: must not be empty"});
    auto *reactor = c->DefaultReactor();
    m_engine.act(std::move(cmd), replyWith(reactor, out));
    return reactor;
}

AdminService::Reactor *AdminService::CancelBranch(Ctx *c, const pb::ActionRequest *r,
                                                  pb::ActionReply *out)
{
    return act(c, int(OperatorAction::CancelBranch), r, out);
}

AdminService::Reactor *AdminService::Abort(Ctx *c, const pb::ActionRequest *r, pb::ActionReply *out)
{
    return act(c, int(OperatorAction::Abort), r, out);
}

AdminService::Reactor *AdminService::MarkFailed(Ctx *c, const pb::ActionRequest *r,
                                                pb::ActionReply *out)
{
    return act(c, int(OperatorAction::MarkFailed), r, out);
}

AdminService::Reactor *AdminService::Pause(Ctx *c, const pb::ActionRequest *r, pb::ActionReply *out)
{
    return act(c, int(OperatorAction::Pause), r, out);
}

AdminService::Reactor *AdminService::Resume(Ctx *c, const pb::ActionRequest *r,
                                            pb::ActionReply *out)
{
    return act(c, int(OperatorAction::Resume), r, out);
}

AdminService::Reactor *AdminService::Retry(Ctx *c, const pb::RetryRequest *r, pb::RetryReply *out)
{
    auto actor = m_guard.check(*c, Role::Operator, "retry", r->gid());
    if (!actor.ok())
        return finish(c, toGrpc(actor.status()));
    auto *reactor = c->DefaultReactor();
    if (!r->gid().empty()) {
        ActionCommand cmd = fromProto(*r);
        cmd.actor = *actor;
        m_engine.act(std::move(cmd),
                     [reactor, out, gid = r->gid()](absl::StatusOr<ActionOutcome> o) {
                         if (o.ok()) {
                             out->set_count(1);
                             out->add_gids(gid);
                         }
                         reactor->Finish(toGrpc(o.status()));
                     });
        return reactor;
    }
    auto filter = fromProto(r->filter());
    if (!filter.ok()) {
        reactor->Finish(toGrpc(filter.status()));
        return reactor;
    }
    m_engine.retryMatching(*filter, *actor, r->reason(), r->dry_run(),
                           [reactor, out](absl::StatusOr<std::vector<std::string>> gids) {
                               if (gids.ok()) {
                                   out->set_count(static_cast<int>(gids->size()));
                                   for (const auto &g : *gids)
                                       out->add_gids(g);
                               }
                               reactor->Finish(toGrpc(gids.status()));
                           });
    return reactor;
}

AdminService::Reactor *AdminService::Resolve(Ctx *c, const pb::ResolveRequest *r,
                                             pb::ActionReply *out)
{
    auto actor = m_guard.check(*c, Role::Operator, "resolve", r->gid());
    if (!actor.ok())
        return finish(c, toGrpc(actor.status()));
    if (r->op() < pb::ACTION || r->op() > pb::CANCEL)
        return finish(c, {grpc::StatusCode::INVALID_ARGUMENT, "op: unknown operation"});
    if (r->as() != pb::OP_SUCCEEDED && r->as() != pb::OP_SKIPPED)
        return finish(c, {grpc::StatusCode::INVALID_ARGUMENT, "as: must be succeeded or skipped"});
    ActionCommand cmd = fromProto(*r);
    cmd.actor = *actor;
    auto *reactor = c->DefaultReactor();
    m_engine.act(std::move(cmd), replyWith(reactor, out));
    return reactor;
}

AdminService::Reactor *AdminService::ListAudit(Ctx *c, const pb::ListAuditRequest *r,
                                               pb::ListAuditReply *out)
{
    auto actor = m_guard.check(*c, Role::Viewer, "ListAudit", r->gid());
    if (!actor.ok())
        return finish(c, toGrpc(actor.status()));
    if (r->limit() < 0 || r->limit() > 10000 || r->before_id() < 0)
        return finish(c, {grpc::StatusCode::INVALID_ARGUMENT, "limit: 0-10000; before_id >= 0"});
    auto entries = m_store.listAudit({r->gid(), r->before_id(), r->limit()});
    if (!entries.ok())
        return finish(c, toGrpc(entries.status()));
    for (const AuditEntry &e : *entries)
        toProto(e, out->add_entries());
    return finish(c, grpc::Status::OK);
}

AdminService::Reactor *AdminService::AuditBarrierPrune(Ctx *c, const pb::BarrierPruneRequest *r,
                                                       pb::AuditEntry *out)
{
    auto actor = m_guard.check(*c, Role::Operator, "prune-barrier");
    if (!actor.ok())
        return finish(c, toGrpc(actor.status()));
    if (r->table().empty() || r->cutoff_ms() <= 0 || r->gids() < 0 || r->rows() < 0)
        return finish(c,
                      {grpc::StatusCode::INVALID_ARGUMENT,
                       "table, cutoff_ms > 0, gids >= 0 and rows >= 0 are required"});
    if (r->reason().empty())
        return finish(c, {grpc::StatusCode::INVALID_ARGUMENT, "reason: must not be empty"});
    AuditEntry entry;
    using namespace std::chrono;
    entry.atMs = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    entry.who = actor->who;
    entry.role = toString(actor->role);
    entry.action = "prune-barrier";
    entry.reason = r->reason();
    entry.stateBefore = r->deleted() ? "planned" : "-";
    entry.stateAfter = r->deleted() ? "deleted" : "planned";
    entry.outcome = r->deleted() ? r->outcome() : "ok";
    entry.detail = absl::StrCat(
        r->table(), ": ", r->rows(), " row(s) of ", r->gids(), " finished gid(s), finished before ",
        absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMillis(r->cutoff_ms()),
                         absl::UTCTimeZone()));
    toProto(entry, out);
    auto *reactor = c->DefaultReactor();
    m_engine.audit(std::move(entry),
                   [reactor](const absl::Status &s) { reactor->Finish(toGrpc(s)); });
    return reactor;
}

}  // namespace coord::api
