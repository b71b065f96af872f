#pragma once

#include "domain/faultplan.h"
#include "flow/flowdefinition.h"

#include <absl/status/status.h>

#include <string>
#include <vector>

namespace coord::engine {

// Where the engine hands a transaction's fault plan (the failure-path explorer): set before the
// transaction's first call, cleared when it ends. Implemented by the invoker that applies it.
class FaultPlans
{
public:
    virtual ~FaultPlans() = default;
    virtual void setPlan(const std::string &gid, std::vector<domain::FaultRule> rules) = 0;
    virtual void clearPlan(const std::string &gid) = 0;
};

constexpr size_t kMaxFaultRules = 64;
constexpr int kMaxFaultTimes = 100;

// A plan fits its flow: known branches, operations of the flow's type, 1-100 calls each.
absl::Status checkFaultPlan(const flow::FlowDefinition &flow,
                            const std::vector<domain::FaultRule> &rules);

}  // namespace coord::engine
