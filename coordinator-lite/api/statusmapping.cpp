#include "statusmapping.h"

#include <string>

namespace coord::api {

grpc::Status toGrpc(const absl::Status &status)
{
    const std::string message(status.message());
    switch (status.code()) {
    case absl::StatusCode::kOk:
        return grpc::Status::OK;
    case absl::StatusCode::kCancelled:
        return {grpc::StatusCode::CANCELLED, message};
    case absl::StatusCode::kUnknown:
        return {grpc::StatusCode::UNKNOWN, message};
    case absl::StatusCode::kInvalidArgument:
        return {grpc::StatusCode::INVALID_ARGUMENT, message};
    case absl::StatusCode::kDeadlineExceeded:
        return {grpc::StatusCode::DEADLINE_EXCEEDED, message};
    case absl::StatusCode::kNotFound:
        return {grpc::StatusCode::NOT_FOUND, message};
    case absl::StatusCode::kAlreadyExists:
        return {grpc::StatusCode::ALREADY_EXISTS, message};
    case absl::StatusCode::kPermissionDenied:
        return {grpc::StatusCode::PERMISSION_DENIED, message};
    case absl::StatusCode::kResourceExhausted:
        return {grpc::StatusCode::RESOURCE_EXHAUSTED, message};
    case absl::StatusCode::kFailedPrecondition:
        return {grpc::StatusCode::FAILED_PRECONDITION, message};
    case absl::StatusCode::kAborted:
        return {grpc::StatusCode::ABORTED, message};
    case absl::StatusCode::kOutOfRange:
        return {grpc::StatusCode::OUT_OF_RANGE, message};
    case absl::StatusCode::kUnimplemented:
        return {grpc::StatusCode::UNIMPLEMENTED, message};
    case absl::StatusCode::kInternal:
        return {grpc::StatusCode::INTERNAL, message};
    case absl::StatusCode::kUnavailable:
        return {grpc::StatusCode::UNAVAILABLE, message};
    case absl::StatusCode::kDataLoss:
        return {grpc::StatusCode::DATA_LOSS, message};
    case absl::StatusCode::kUnauthenticated:
        return {grpc::StatusCode::UNAUTHENTICATED, message};
    default:
        break;
    }
    return {grpc::StatusCode::UNKNOWN, message};
}

absl::Status fromGrpc(const grpc::Status &status)
{
    if (status.ok())
        return absl::OkStatus();
    const int code = int(status.error_code());
    const auto mapped = code > 0 && code <= int(absl::StatusCode::kUnauthenticated)
        ? static_cast<absl::StatusCode>(code)
        : absl::StatusCode::kUnknown;
    return {mapped, status.error_message()};
}

}  // namespace coord::api
