#pragma once

#include "dtmrequest.h"

#include "api/rpcloop.h"

#include "dtmgimp/dtmgimp.grpc.pb.h"

namespace coord::api {
class AccessGuard;
}

namespace coord::dtm {

class DtmService;

// DTM's gRPC service dtmgimp.Dtm on the coordinator's gRPC port, beside txdesk.v1
// (dtmsvr/api_grpc.go). A business failure is ABORTED, ONGOING is FAILED_PRECONDITION
// (dtmgrpc/type.go DtmError2GrpcError). Tokens as for txdesk.v1: authorization metadata.
class DtmGrpcService final
{
public:
    DtmGrpcService(DtmService &service, api::AccessGuard &guard);

    api::UnaryReactor *NewGid(api::RpcContext *context, const google::protobuf::Empty *request,
                              ::dtmgimp::DtmGidReply *reply);
    api::UnaryReactor *Submit(api::RpcContext *context, const ::dtmgimp::DtmRequest *request,
                              google::protobuf::Empty *reply);
    api::UnaryReactor *Prepare(api::RpcContext *context, const ::dtmgimp::DtmRequest *request,
                               google::protobuf::Empty *reply);
    api::UnaryReactor *Abort(api::RpcContext *context, const ::dtmgimp::DtmRequest *request,
                             google::protobuf::Empty *reply);
    api::UnaryReactor *RegisterBranch(api::RpcContext *context,
                                      const ::dtmgimp::DtmBranchRequest *request,
                                      google::protobuf::Empty *reply);
    api::UnaryReactor *PrepareWorkflow(api::RpcContext *context,
                                       const ::dtmgimp::DtmRequest *request,
                                       ::dtmgimp::DtmProgressesReply *reply);
    api::UnaryReactor *Subscribe(api::RpcContext *context,
                                 const ::dtmgimp::DtmTopicRequest *request,
                                 google::protobuf::Empty *reply);
    api::UnaryReactor *Unsubscribe(api::RpcContext *context,
                                   const ::dtmgimp::DtmTopicRequest *request,
                                   google::protobuf::Empty *reply);
    api::UnaryReactor *DeleteTopic(api::RpcContext *context,
                                   const ::dtmgimp::DtmTopicRequest *request,
                                   google::protobuf::Empty *reply);

    // The service to register with the server builder, and its methods on `loop`.
    grpc::Service *service() { return &m_async; }
    void serveOn(api::RpcLoop &loop);

private:
    // Submit, Prepare and Abort: who may call, the request as DTM's TransGlobal, the use-case.
    template <class UseCase>
    api::UnaryReactor *trans(api::RpcContext *context, const char *rpc,
                             const ::dtmgimp::DtmRequest *request, UseCase useCase);

    ::dtmgimp::Dtm::AsyncService m_async;
    DtmService &m_service;
    api::AccessGuard &m_guard;
};

// dtmgimp.DtmRequest as DTM's TransGlobal (dtmsvr/trans_class.go TransFromDtmRequest).
absl::StatusOr<DtmTrans> fromGrpc(const ::dtmgimp::DtmRequest &request);
DtmBranch fromGrpc(const ::dtmgimp::DtmBranchRequest &request);

}  // namespace coord::dtm
