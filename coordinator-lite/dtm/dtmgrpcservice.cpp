#include "dtmgrpcservice.h"

#include "dtmservice.h"

#include "api/accessguard.h"
#include "api/statusmapping.h"

#include <absl/strings/str_cat.h>

// Messages with map fields stay off the calls' arenas (api/rpcloop.h).
template <>
inline constexpr bool coord::api::detail::kOnArena<::dtmgimp::DtmRequest> = false;
template <>
inline constexpr bool coord::api::detail::kOnArena<::dtmgimp::DtmBranchRequest> = false;

namespace coord::dtm {

namespace {

grpc::Status toGrpc(const DtmAnswer &a)
{
    switch (a.kind) {
    case DtmAnswer::Kind::Success:
        return grpc::Status::OK;
    case DtmAnswer::Kind::Failure:
        return {grpc::StatusCode::ABORTED, a.failureText()};
    case DtmAnswer::Kind::Ongoing:
        return {grpc::StatusCode::FAILED_PRECONDITION, a.message};
    case DtmAnswer::Kind::Invalid:
        return {grpc::StatusCode::INVALID_ARGUMENT, a.message};
    case DtmAnswer::Kind::Unauthenticated:
        return {grpc::StatusCode::UNAUTHENTICATED, a.message};
    case DtmAnswer::Kind::PermissionDenied:
        return {grpc::StatusCode::PERMISSION_DENIED, a.message};
    case DtmAnswer::Kind::Unavailable:
        return {grpc::StatusCode::UNAVAILABLE, a.message};
    case DtmAnswer::Kind::Error:
        break;
    }
    return {grpc::StatusCode::UNKNOWN, a.message};  // what grpc-go sends for a plain error
}

api::UnaryReactor *finish(api::RpcContext *context, grpc::Status status)
{
    auto *reactor = context->DefaultReactor();
    reactor->Finish(std::move(status));
    return reactor;
}

DtmService::Reply answerTo(api::UnaryReactor *reactor)
{
    return [reactor](DtmAnswer a) { reactor->Finish(toGrpc(a)); };
}

api::UnaryReactor *unsupported(api::RpcContext *context, const char *what)
{
    return finish(context,
                  {grpc::StatusCode::UNIMPLEMENTED,
                   absl::StrCat(what,
                                " is not supported by coordinator-lite, which "
                                "serves SAGA and TCC: NewGid, Prepare, Submit, "
                                "Abort, RegisterBranch")});
}

}  // namespace

absl::StatusOr<DtmTrans> fromGrpc(const ::dtmgimp::DtmRequest &r)
{
    DtmTrans t;
    t.gid = r.gid();
    t.transType = r.transtype();
    auto steps = parseStepsJson(r.steps());
    if (!steps.ok())
        return steps.status();
    t.steps = std::move(*steps);
    t.payloads.assign(r.binpayloads().begin(), r.binpayloads().end());
    t.customData = r.customeddata();
    t.rollbackReason = r.rollbackreason();
    const auto &o = r.transoptions();
    t.waitResult = o.waitresult();
    for (auto [value, out, name] :
         {std::tuple{o.timeouttofail(), &t.timeoutToFailS, "TransOptions.TimeoutToFail"},
          {o.requesttimeout(), &t.requestTimeoutS, "TransOptions.RequestTimeout"},
          {o.retryinterval(), &t.retryIntervalS, "TransOptions.RetryInterval"},
          {o.retrylimit(), &t.retryLimit, "TransOptions.RetryLimit"}}) {
        if (value < 0 || value > 30LL * 24 * 3600)
            return absl::InvalidArgumentError(absl::StrCat(name, ": expected 0 to 2592000"));
        *out = value;
    }
    t.branchHeaders.insert(o.branchheaders().begin(), o.branchheaders().end());
    return t;
}

DtmBranch fromGrpc(const ::dtmgimp::DtmBranchRequest &r)
{
    DtmBranch b;
    b.gid = r.gid();
    b.transType = r.transtype();
    b.branchId = r.branchid();
    // dtmsvr/api_grpc.go RegisterBranch: Data holds confirm/cancel, BusiPayload the body; Op is
    // not read.
    if (auto it = r.data().find("confirm"); it != r.data().end())
        b.confirm = it->second;
    if (auto it = r.data().find("cancel"); it != r.data().end())
        b.cancel = it->second;
    b.data = r.busipayload();
    return b;
}

DtmGrpcService::DtmGrpcService(DtmService &service, api::AccessGuard &guard)
    : m_service(service), m_guard(guard)
{}

void DtmGrpcService::serveOn(api::RpcLoop &loop)
{
    using S = ::dtmgimp::Dtm::AsyncService;
    using Self = DtmGrpcService;
    constexpr auto onLoop = api::RpcLoop::Run::Inline;  // the engine does not block
    loop.unary(&m_async, &S::RequestNewGid, this, &Self::NewGid, onLoop);
    loop.unary(&m_async, &S::RequestSubmit, this, &Self::Submit, onLoop);
    loop.unary(&m_async, &S::RequestPrepare, this, &Self::Prepare, onLoop);
    loop.unary(&m_async, &S::RequestAbort, this, &Self::Abort, onLoop);
    loop.unary(&m_async, &S::RequestRegisterBranch, this, &Self::RegisterBranch, onLoop);
    loop.unary(&m_async, &S::RequestPrepareWorkflow, this, &Self::PrepareWorkflow, onLoop);
    loop.unary(&m_async, &S::RequestSubscribe, this, &Self::Subscribe, onLoop);
    loop.unary(&m_async, &S::RequestUnsubscribe, this, &Self::Unsubscribe, onLoop);
    loop.unary(&m_async, &S::RequestDeleteTopic, this, &Self::DeleteTopic, onLoop);
}

template <class UseCase>
api::UnaryReactor *DtmGrpcService::trans(api::RpcContext *context, const char *rpc,
                                         const ::dtmgimp::DtmRequest *request, UseCase useCase)
{
    if (auto actor = m_guard.check(*context, domain::Role::Operator, rpc, request->gid());
        !actor.ok())
        return finish(context, api::toGrpc(actor.status()));
    auto trans = fromGrpc(*request);
    if (!trans.ok())
        return finish(context, api::toGrpc(trans.status()));
    auto *reactor = context->DefaultReactor();
    useCase(*trans, answerTo(reactor));
    return reactor;
}

api::UnaryReactor *DtmGrpcService::NewGid(api::RpcContext *context, const google::protobuf::Empty *,
                                          ::dtmgimp::DtmGidReply *reply)
{
    if (auto actor = m_guard.check(*context, domain::Role::Viewer, "DTM NewGid"); !actor.ok())
        return finish(context, api::toGrpc(actor.status()));
    reply->set_gid(m_service.newGid().gid);
    return finish(context, grpc::Status::OK);
}

api::UnaryReactor *DtmGrpcService::Submit(api::RpcContext *context,
                                          const ::dtmgimp::DtmRequest *request,
                                          google::protobuf::Empty *)
{
    return trans(context, "DTM Submit", request, [this](const DtmTrans &t, DtmService::Reply r) {
        m_service.submit(t, domain::TxOrigin::DtmGrpc, std::move(r));
    });
}

api::UnaryReactor *DtmGrpcService::Prepare(api::RpcContext *context,
                                           const ::dtmgimp::DtmRequest *request,
                                           google::protobuf::Empty *)
{
    return trans(context, "DTM Prepare", request, [this](const DtmTrans &t, DtmService::Reply r) {
        m_service.prepare(t, domain::TxOrigin::DtmGrpc, std::move(r));
    });
}

api::UnaryReactor *DtmGrpcService::Abort(api::RpcContext *context,
                                         const ::dtmgimp::DtmRequest *request,
                                         google::protobuf::Empty *)
{
    return trans(context, "DTM Abort", request, [this](const DtmTrans &t, DtmService::Reply r) {
        m_service.abort(t, std::move(r));
    });
}

api::UnaryReactor *DtmGrpcService::RegisterBranch(api::RpcContext *context,
                                                  const ::dtmgimp::DtmBranchRequest *request,
                                                  google::protobuf::Empty *)
{
    if (auto actor = m_guard.check(*context, domain::Role::Operator, "DTM RegisterBranch",
                                   request->gid());
        !actor.ok())
        return finish(context, api::toGrpc(actor.status()));
    auto *reactor = context->DefaultReactor();
    m_service.registerBranch(fromGrpc(*request), answerTo(reactor));
    return reactor;
}

api::UnaryReactor *DtmGrpcService::PrepareWorkflow(api::RpcContext *context,
                                                   const ::dtmgimp::DtmRequest *,
                                                   ::dtmgimp::DtmProgressesReply *)
{
    return unsupported(context, "PrepareWorkflow (workflow transactions)");
}

api::UnaryReactor *DtmGrpcService::Subscribe(api::RpcContext *context,
                                             const ::dtmgimp::DtmTopicRequest *,
                                             google::protobuf::Empty *)
{
    return unsupported(context, "Subscribe (msg topics)");
}

api::UnaryReactor *DtmGrpcService::Unsubscribe(api::RpcContext *context,
                                               const ::dtmgimp::DtmTopicRequest *,
                                               google::protobuf::Empty *)
{
    return unsupported(context, "Unsubscribe (msg topics)");
}

api::UnaryReactor *DtmGrpcService::DeleteTopic(api::RpcContext *context,
                                               const ::dtmgimp::DtmTopicRequest *,
                                               google::protobuf::Empty *)
{
    return unsupported(context, "DeleteTopic (msg topics)");
}

}  // namespace coord::dtm
