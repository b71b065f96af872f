#pragma once

#include "types.h"

#include <absl/status/statusor.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Faults the coordinator injects into one transaction's calls (the failure-path explorer): which
// operation of which branch, what goes wrong, for how many of its calls.
namespace coord::domain {

enum class FaultKind {
    BusinessFailure = 1,  // answered as a business failure (409 / ABORTED); the call is not made
    TransientError = 2,   // answered as a transient error (503 / UNAVAILABLE); not made
    Slow = 3,             // made, but its answer comes after the request timeout: a timeout
    AnswerLost = 4,       // made, and the participant's answer discarded: the call took effect
                          // and the coordinator retries it
};

struct FaultRule {
    std::string branchId;
    OpKind op = OpKind::Action;
    FaultKind kind = FaultKind::TransientError;
    int times = 1;  // the first `times` calls of that operation (1-100)

    bool operator==(const FaultRule &) const = default;
};

std::string toString(FaultKind kind);  // business-failure, transient-error, slow, answer-lost
std::optional<FaultKind> faultKindFromString(std::string_view text);
// "in/action: answer-lost ×1, out/compensate: transient-error ×3", for audit entries.
std::string describe(const std::vector<FaultRule> &rules);
// "BRANCH/OP:KIND[:TIMES]" as txctl's --fault takes it, e.g. "debit/action:transient-error:3".
absl::StatusOr<FaultRule> parseFaultRule(std::string_view text);

}  // namespace coord::domain
