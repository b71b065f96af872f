#pragma once

#include "domain/faultplan.h"
#include "flow/flowdefinition.h"

#include <string>
#include <vector>

// The failure-path explorer's points: every operation of a flow × every fault that applies to
// it, each with the outcome the flow's semantics promise.
namespace coord::explore {

struct FailurePoint {
    std::string id;           // "out/action: answer-lost"
    domain::FaultRule fault;  // the point itself
    // What the run injects: the fault, and for an undo (compensate, cancel) the business
    // failure that makes the transaction roll back so the undo runs at all.
    std::vector<domain::FaultRule> faults;
    std::string rollbackForcedBy;  // "in/action" when a business failure forces the rollback
    domain::TxStatus expected = domain::TxStatus::Succeeded;
};

// How many times a transient error repeats: enough to show retries, few enough to stay quick.
constexpr int kTransientRepeats = 2;

// In the flow's order (branches as they run; per branch, its operations; per operation:
// business failure where the operation may fail, transient error, slow, answer lost).
std::vector<FailurePoint> failurePoints(const flow::FlowDefinition &flow);

}  // namespace coord::explore
