#pragma once

#include <absl/status/status.h>
#include <grpcpp/support/status.h>

namespace coord::api {

// The one mapping between domain status and gRPC status, both ways (the codes are the same
// numbers; the message travels unchanged).
grpc::Status toGrpc(const absl::Status &status);
absl::Status fromGrpc(const grpc::Status &status);

}  // namespace coord::api
