#pragma once

#include <absl/status/status.h>
#include <grpcpp/support/status.h>

namespace coord::api {

// The one mapping from domain status to gRPC status.
grpc::Status toGrpc(const absl::Status &status);

}  // namespace coord::api
