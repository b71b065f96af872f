#pragma once

#include "dtmrequest.h"

#include "dtmgimp/dtmgimp.grpc.pb.h"

namespace coord::api {
class AccessGuard;
}

namespace coord::dtm {

class DtmService;

// DTM's gRPC service dtmgimp.Dtm on the coordinator's gRPC port, beside txdesk.v1
// (dtmsvr/api_grpc.go). A business failure is ABORTED, ONGOING is FAILED_PRECONDITION
// (dtmgrpc/type.go DtmError2GrpcError). Tokens as for txdesk.v1: authorization metadata.
class DtmGrpcService final : public ::dtmgimp::Dtm::CallbackService
{
public:
    DtmGrpcService(DtmService &service, api::AccessGuard &guard);

    grpc::ServerUnaryReactor *NewGid(grpc::CallbackServerContext *context,
                                     const google::protobuf::Empty *request,
                                     ::dtmgimp::DtmGidReply *reply) override;
    grpc::ServerUnaryReactor *Submit(grpc::CallbackServerContext *context,
                                     const ::dtmgimp::DtmRequest *request,
                                     google::protobuf::Empty *reply) override;
    grpc::ServerUnaryReactor *Prepare(grpc::CallbackServerContext *context,
                                      const ::dtmgimp::DtmRequest *request,
                                      google::protobuf::Empty *reply) override;
    grpc::ServerUnaryReactor *Abort(grpc::CallbackServerContext *context,
                                    const ::dtmgimp::DtmRequest *request,
                                    google::protobuf::Empty *reply) override;
    grpc::ServerUnaryReactor *RegisterBranch(grpc::CallbackServerContext *context,
                                             const ::dtmgimp::DtmBranchRequest *request,
                                             google::protobuf::Empty *reply) override;
    grpc::ServerUnaryReactor *PrepareWorkflow(grpc::CallbackServerContext *context,
                                              const ::dtmgimp::DtmRequest *request,
                                              ::dtmgimp::DtmProgressesReply *reply) override;
    grpc::ServerUnaryReactor *Subscribe(grpc::CallbackServerContext *context,
                                        const ::dtmgimp::DtmTopicRequest *request,
                                        google::protobuf::Empty *reply) override;
    grpc::ServerUnaryReactor *Unsubscribe(grpc::CallbackServerContext *context,
                                          const ::dtmgimp::DtmTopicRequest *request,
                                          google::protobuf::Empty *reply) override;
    grpc::ServerUnaryReactor *DeleteTopic(grpc::CallbackServerContext *context,
                                          const ::dtmgimp::DtmTopicRequest *request,
                                          google::protobuf::Empty *reply) override;

private:
    // Submit, Prepare and Abort: who may call, the request as DTM's TransGlobal, the use-case.
    template <class UseCase>
    grpc::ServerUnaryReactor *trans(grpc::CallbackServerContext *context, const char *rpc,
                                    const ::dtmgimp::DtmRequest *request, UseCase useCase);

    DtmService &m_service;
    api::AccessGuard &m_guard;
};

// dtmgimp.DtmRequest as DTM's TransGlobal (dtmsvr/trans_class.go TransFromDtmRequest).
absl::StatusOr<DtmTrans> fromGrpc(const ::dtmgimp::DtmRequest &request);
DtmBranch fromGrpc(const ::dtmgimp::DtmBranchRequest &request);

}  // namespace coord::dtm
