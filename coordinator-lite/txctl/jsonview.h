#pragma once

#include "txdesk/v1/coordinator.pb.h"

#include <nlohmann/json.hpp>

// JSON views of API messages using the names of the public contract (docs/design.md).
namespace txctl {

using Json = nlohmann::ordered_json;

Json toJson(const txdesk::v1::TransactionSummary &summary);
Json toJson(const txdesk::v1::Transaction &transaction);
Json toJson(const txdesk::v1::Event &event);
Json toJson(const txdesk::v1::Attempt &attempt);
Json toJson(const txdesk::v1::ActionPlan &plan);
Json toJson(const txdesk::v1::AuditEntry &entry);

std::string typeName(txdesk::v1::TxType type);
std::string statusName(txdesk::v1::TxStatus status);
std::string opName(txdesk::v1::OpKind op);
std::string opStatusName(txdesk::v1::OpStatus status);

}  // namespace txctl
