// What a parsed flow means: references, endpoints, cycles and SAGA ordering, one check each.
#include "flowdefinition.h"

#include "endpoint.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace coord::flow {

using domain::OpKind;
using domain::TxType;
using Severity = FlowIssue::Severity;

namespace {

std::string branchPath(size_t i) { return "flow.branches[" + std::to_string(i) + "]"; }

// The issues found so far and where each branch sits in the document.
struct Findings {
    const FlowDefinition &flow;
    std::map<std::string, size_t> index;
    std::vector<FlowIssue> issues;

    void add(Severity s, const std::string &field, const std::string &message, std::string branch)
    {
        issues.push_back({s, field, field + ": " + message, std::move(branch)});
    }
    bool known(const std::string &id) const { return index.count(id) > 0; }
    const FlowBranch &branch(const std::string &id) const { return flow.branches[index.at(id)]; }
};

void checkBranchCount(Findings &f, const FlowLimits &limits)
{
    if (f.flow.branches.empty())
        f.add(Severity::Error, "flow.branches", "a flow needs at least one branch", {});
    if (f.flow.branches.size() > limits.maxBranches)
        f.add(Severity::Error, "flow.branches", "too many branches", {});
}

// Branch ids are unique and every `after` names another branch of the flow.
void checkReferences(Findings &f)
{
    const auto &branches = f.flow.branches;
    for (size_t i = 0; i < branches.size(); ++i)
        if (!f.index.emplace(branches[i].id, i).second)
            f.add(Severity::Error, branchPath(i) + ".id",
                  "duplicate branch id \"" + branches[i].id + "\"", branches[i].id);
    for (size_t i = 0; i < branches.size(); ++i) {
        const FlowBranch &b = branches[i];
        for (size_t k = 0; k < b.after.size(); ++k) {
            const std::string field = branchPath(i) + ".after[" + std::to_string(k) + "]";
            if (b.after[k] == b.id)
                f.add(Severity::Error, field, "a branch cannot run after itself", b.id);
            else if (!f.known(b.after[k]))
                f.add(Severity::Error, field, "unknown branch \"" + b.after[k] + "\"", b.id);
        }
    }
}

// Every operation the flow's type needs has a well-formed endpoint; the payload suits it.
void checkEndpoints(Findings &f)
{
    const TxType type = f.flow.type;
    for (size_t i = 0; i < f.flow.branches.size(); ++i) {
        const FlowBranch &b = f.flow.branches[i];
        const std::string path = branchPath(i);
        for (OpKind op : opsFor(type)) {
            const std::string key = domain::toString(op);
            auto it = b.endpoints.find(op);
            const bool optional = op == undoOp(type) && b.notRollbackable;
            if (it == b.endpoints.end() || it->second.empty()) {
                if (!optional)
                    f.add(Severity::Error, path + "." + key,
                          "missing; a " + domain::toString(type) + " branch needs " + key
                              + (op == OpKind::Compensate ? " (or not_rollbackable: true)" : ""),
                          b.id);
                continue;
            }
            if (std::string problem = checkEndpoint(it->second); !problem.empty())
                f.add(Severity::Error, path + "." + key, problem, b.id);
        }
        bool grpc = false, http = false;
        for (const auto &[op, endpoint] : b.endpoints) {
            grpc |= !endpoint.empty() && schemeOf(endpoint) == Scheme::Grpc;
            http |= schemeOf(endpoint) == Scheme::Http;
        }
        if (http && !b.payloadBase64.empty())
            f.add(Severity::Warning, path + ".payload_base64",
                  "HTTP endpoints send \"payload\"; payload_base64 is ignored", b.id);
        if (grpc && b.payloadBase64.empty() && b.payloadJson != "{}")
            f.add(Severity::Warning, path + ".payload",
                  "gRPC endpoints send payload_base64 (protobuf bytes); the JSON payload is sent "
                  "as is",
                  b.id);
    }
}

// Ordering cycles: depth-first search with colours, each cycle reported once with its members.
// Returns whether there was one.
bool checkCycles(Findings &f)
{
    std::map<std::string, int> colour;
    std::vector<std::string> stack;
    std::set<std::string> reported;
    std::function<void(const FlowBranch &)> dfs = [&](const FlowBranch &b) {
        colour[b.id] = 1;
        stack.push_back(b.id);
        for (const std::string &a : b.after) {
            if (!f.known(a) || a == b.id)
                continue;
            if (colour[a] == 1) {
                std::string cycle;
                for (auto s = std::find(stack.begin(), stack.end(), a); s != stack.end(); ++s)
                    cycle += *s + " -> ";
                cycle += a;
                if (reported.insert(a).second)
                    f.add(Severity::Error, branchPath(f.index[b.id]) + ".after",
                          "ordering cycle " + cycle, b.id);
            } else if (colour[a] == 0) {
                dfs(f.branch(a));
            }
        }
        stack.pop_back();
        colour[b.id] = 2;
    };
    for (const FlowBranch &b : f.flow.branches)
        if (colour[b.id] == 0)
            dfs(b);
    return !reported.empty();
}

// SAGA ordering hazards: once a non-rollbackable step has run, a later failure can no longer be
// fully undone, so each must come after every rollbackable branch. Needs an acyclic flow.
void checkSagaOrdering(Findings &f)
{
    std::map<std::string, std::set<std::string>> ancestors;
    std::function<const std::set<std::string> &(const std::string &)> ancestorsOf =
        [&](const std::string &id) -> const std::set<std::string> & {
        if (auto it = ancestors.find(id); it != ancestors.end())
            return it->second;
        std::set<std::string> result;
        if (f.known(id))
            for (const std::string &a : f.branch(id).after)
                if (f.known(a)) {
                    result.insert(a);
                    const auto &more = ancestorsOf(a);
                    result.insert(more.begin(), more.end());
                }
        return ancestors[id] = std::move(result);
    };
    bool anyNotRollbackable = false;
    for (const FlowBranch &b : f.flow.branches) {
        if (!b.notRollbackable)
            continue;
        anyNotRollbackable = true;
        const auto &before = ancestorsOf(b.id);
        for (const FlowBranch &other : f.flow.branches)
            if (!other.notRollbackable && !before.count(other.id)) {
                f.add(Severity::Warning, branchPath(f.index[b.id]) + ".not_rollbackable",
                      "\"" + b.id + "\" cannot be rolled back but may run before \"" + other.id
                          + "\"; if \"" + other.id
                          + "\" fails, the saga cannot undo it. Make it run after every "
                            "rollbackable branch",
                      b.id);
                break;
            }
    }
    if (anyNotRollbackable && f.flow.options.timeoutToFailMs > 0)
        f.add(Severity::Warning, "flow.options.timeout_to_fail_ms",
              "a timeout can roll the saga back after a non-rollbackable step has run", {});
}

}  // namespace

std::vector<FlowIssue> validateFlow(const FlowDefinition &flow, const FlowLimits &limits)
{
    Findings findings{flow, {}, {}};
    checkBranchCount(findings, limits);
    checkReferences(findings);
    checkEndpoints(findings);
    const bool cyclic = checkCycles(findings);
    if (flow.type == TxType::Saga && !cyclic)
        checkSagaOrdering(findings);
    return std::move(findings.issues);
}

}  // namespace coord::flow
