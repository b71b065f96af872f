#include "faultplan.h"

#include <absl/strings/str_cat.h>

namespace coord::domain {

namespace {
constexpr std::pair<FaultKind, std::string_view> kNames[] = {
    {FaultKind::BusinessFailure, "business-failure"},
    {FaultKind::TransientError, "transient-error"},
    {FaultKind::Slow, "slow"},
    {FaultKind::AnswerLost, "answer-lost"},
};
}  // namespace

std::string toString(FaultKind kind)
{
    for (const auto &[k, name] : kNames)
        if (k == kind)
            return std::string(name);
    return "unknown";
}

std::optional<FaultKind> faultKindFromString(std::string_view text)
{
    for (const auto &[k, name] : kNames)
        if (name == text)
            return k;
    return std::nullopt;
}

std::string describe(const std::vector<FaultRule> &rules)
{
    std::string out;
    for (const FaultRule &r : rules)
        absl::StrAppend(&out, out.empty() ? "" : ", ", r.branchId, "/", toString(r.op), ": ",
                        toString(r.kind), " ×", r.times);
    return out;
}

}  // namespace coord::domain
