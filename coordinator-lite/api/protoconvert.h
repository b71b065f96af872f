#pragma once

#include "domain/faultplan.h"
#include "domain/history.h"
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
domain::ActionPlan fromProto(const pb::ActionPlan &in);
// An operator action on the wire: CancelBranch, Abort, MarkFailed, Pause and Resume travel as an
// ActionRequest, Resolve and Retry (of one gid) as their own requests. The actor is the server's
// to fill in, from the caller's credentials.
void toProto(const domain::ActionCommand &in, pb::ActionRequest *out);
void toProto(const domain::ActionCommand &in, pb::ResolveRequest *out);
void toProto(const domain::ActionCommand &in, pb::RetryRequest *out);
domain::ActionCommand fromProto(const pb::ActionRequest &in, domain::OperatorAction action);
domain::ActionCommand fromProto(const pb::ResolveRequest &in);
domain::ActionCommand fromProto(const pb::RetryRequest &in);
void toProto(const domain::AuditEntry &in, pb::AuditEntry *out);

// The dashboards' history (historyconvert.cpp).
domain::HistoryQuery fromProto(const pb::HistoryRequest &in);
void toProto(const domain::HistoryQuery &in, pb::HistoryRequest *out);
void toProto(const domain::History &in, pb::HistoryReply *out);
domain::History fromProto(const pb::HistoryReply &in);

// A submit's fault plan (faultconvert.cpp); fromProto checks the enums, the engine the rest.
void toProto(const std::vector<domain::FaultRule> &in,
             google::protobuf::RepeatedPtrField<pb::FaultRule> *out);
absl::StatusOr<std::vector<domain::FaultRule>> fromProto(
    const google::protobuf::RepeatedPtrField<pb::FaultRule> &in);

domain::TxSummary fromProto(const pb::TransactionSummary &in);
domain::Transaction fromProto(const pb::Transaction &in);
domain::Event fromProto(const pb::Event &in);
domain::Attempt fromProto(const pb::Attempt &in);

}  // namespace coord::api
