#pragma once

#include "domain/operator.h"
#include "domain/types.h"

#include "txdesk/v1/coordinator.pb.h"

#include <absl/status/status.h>
#include <absl/status/statusor.h>

// Mapping between the domain and the wire: one function per direction and type.
namespace coord::api {

namespace pb = ::txdesk::v1;

void toProto(const domain::TxSummary &in, pb::TransactionSummary *out);
void toProto(const domain::Transaction &in, pb::Transaction *out);
void toProto(const domain::Event &in, pb::Event *out);
void toProto(const domain::Attempt &in, pb::Attempt *out);
absl::StatusOr<domain::ListQuery> fromProto(const pb::ListRequest &in);
void toProto(const domain::ListQuery &in, pb::ListRequest *out);

void toProto(const domain::ActionPlan &in, pb::ActionPlan *out);
void toProto(const domain::AuditEntry &in, pb::AuditEntry *out);

domain::TxSummary fromProto(const pb::TransactionSummary &in);
domain::Transaction fromProto(const pb::Transaction &in);
domain::Event fromProto(const pb::Event &in);
domain::Attempt fromProto(const pb::Attempt &in);

}  // namespace coord::api
