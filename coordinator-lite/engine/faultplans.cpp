#include "faultplans.h"

#include <absl/strings/str_cat.h>

#include <algorithm>

namespace coord::engine {

absl::Status checkFaultPlan(const flow::FlowDefinition &flow,
                            const std::vector<domain::FaultRule> &rules)
{
    if (rules.size() > kMaxFaultRules)
        return absl::InvalidArgumentError(
            absl::StrCat("faults: at most ", kMaxFaultRules, " rules, not ", rules.size()));
    const std::vector<domain::OpKind> ops = flow::opsFor(flow.type);
    for (size_t i = 0; i < rules.size(); ++i) {
        const domain::FaultRule &r = rules[i];
        const std::string field = absl::StrCat("faults[", i, "]");
        const flow::FlowBranch *branch = flow.find(r.branchId);
        if (!branch)
            return absl::InvalidArgumentError(
                absl::StrCat(field, ": the flow has no branch \"", r.branchId, "\""));
        if (std::find(ops.begin(), ops.end(), r.op) == ops.end())
            return absl::InvalidArgumentError(absl::StrCat(field, ": a ", toString(flow.type),
                                                           " branch has no ", toString(r.op),
                                                           " operation"));
        if (!branch->endpoints.count(r.op))
            return absl::InvalidArgumentError(absl::StrCat(field, ": branch \"", r.branchId,
                                                           "\" has no ", toString(r.op),
                                                           " endpoint to fail"));
        if (r.times < 1 || r.times > kMaxFaultTimes)
            return absl::InvalidArgumentError(
                absl::StrCat(field, ": times must be 1-", kMaxFaultTimes, ", not ", r.times));
    }
    return absl::OkStatus();
}

}  // namespace coord::engine
