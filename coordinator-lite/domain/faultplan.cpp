#include "faultplan.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>

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

absl::StatusOr<FaultRule> parseFaultRule(std::string_view text)
{
    const auto bad = [&](std::string_view why) {
        return absl::InvalidArgumentError(absl::StrCat(
            "fault \"", std::string(text), "\": ", std::string(why),
            " (expected BRANCH/OP:KIND[:TIMES], KIND one of business-failure, transient-error, "
            "slow, answer-lost)"));
    };
    const size_t slash = text.rfind('/');
    if (slash == std::string_view::npos || slash == 0)
        return bad("no BRANCH/ before the operation");
    std::vector<std::string> parts = absl::StrSplit(std::string(text.substr(slash + 1)), ':');
    if (parts.size() < 2 || parts.size() > 3)
        return bad("expected OP:KIND after the branch");
    FaultRule rule;
    rule.branchId = std::string(text.substr(0, slash));
    const auto op = opKindFromString(parts[0]);
    if (!op)
        return bad(absl::StrCat("unknown operation ", parts[0]));
    const auto kind = faultKindFromString(parts[1]);
    if (!kind)
        return bad(absl::StrCat("unknown fault kind ", parts[1]));
    rule.op = *op;
    rule.kind = *kind;
    if (parts.size() == 3 && (!absl::SimpleAtoi(parts[2], &rule.times) || rule.times < 1))
        return bad("TIMES must be a whole number above 0");
    return rule;
}

}  // namespace coord::domain
