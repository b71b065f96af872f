#include "actioncall.h"

#include "api/protoconvert.h"
#include "api/statusmapping.h"

namespace coord::client {

using domain::OperatorAction;

grpc::Status callAction(Connection &connection, const domain::ActionCommand &command,
                        std::chrono::milliseconds timeout, pb::ActionReply *reply)
{
    auto context = connection.context(timeout);
    pb::Admin::Stub &admin = connection.admin();
    if (command.action == OperatorAction::Resolve) {
        pb::ResolveRequest request;
        api::toProto(command, &request);
        return admin.Resolve(context.get(), request, reply);
    }
    if (command.action == OperatorAction::Retry) {
        pb::RetryRequest request;
        api::toProto(command, &request);
        pb::RetryReply retried;
        return admin.Retry(context.get(), request, &retried);
    }
    pb::ActionRequest request;
    api::toProto(command, &request);
    switch (command.action) {
    case OperatorAction::CancelBranch:
        return admin.CancelBranch(context.get(), request, reply);
    case OperatorAction::Abort:
        return admin.Abort(context.get(), request, reply);
    case OperatorAction::MarkFailed:
        return admin.MarkFailed(context.get(), request, reply);
    case OperatorAction::Pause:
        return admin.Pause(context.get(), request, reply);
    case OperatorAction::Resume:
        return admin.Resume(context.get(), request, reply);
    default:
        return {grpc::StatusCode::INVALID_ARGUMENT, "unknown operator action"};
    }
}

absl::StatusOr<domain::ActionOutcome> callAction(Connection &connection,
                                                 const domain::ActionCommand &command,
                                                 std::chrono::milliseconds timeout)
{
    pb::ActionReply reply;
    grpc::Status status = callAction(connection, command, timeout, &reply);
    if (!status.ok())
        return api::fromGrpc(status);
    domain::ActionOutcome outcome;
    outcome.plan = api::fromProto(reply.plan());
    if (reply.has_transaction())
        outcome.transaction = api::fromProto(reply.transaction());
    return outcome;
}

}  // namespace coord::client
