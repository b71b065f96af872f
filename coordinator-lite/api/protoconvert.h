#pragma once

#include "domain/types.h"

#include "txdesk/v1/coordinator.pb.h"

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <grpcpp/support/status.h>

// Mapping between the domain and the wire: one function per direction and type.
namespace coord::api {

namespace pb = ::txdesk::v1;

void toProto(const domain::TxSummary &in, pb::TransactionSummary *out);
void toProto(const domain::Transaction &in, pb::Transaction *out);
void toProto(const domain::Event &in, pb::Event *out);
void toProto(const domain::Attempt &in, pb::Attempt *out);
absl::StatusOr<domain::ListQuery> fromProto(const pb::ListRequest &in);

grpc::Status toGrpc(const absl::Status &status);

}  // namespace coord::api
