#include "flowdefinition.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <set>

namespace coord::flow {

using domain::OpKind;
using domain::TxType;
using Severity = FlowIssue::Severity;

const FlowBranch *FlowDefinition::find(std::string_view id) const
{
    auto it = std::find_if(branches.begin(), branches.end(),
                           [id](const FlowBranch &b) { return b.id == id; });
    return it == branches.end() ? nullptr : &*it;
}

const FlowIssue *ParseResult::firstError() const
{
    for (const FlowIssue &i : issues)
        if (i.severity == Severity::Error)
            return &i;
    return nullptr;
}

std::vector<OpKind> opsFor(TxType type)
{
    if (type == TxType::Saga)
        return {OpKind::Action, OpKind::Compensate};
    return {OpKind::Try, OpKind::Confirm, OpKind::Cancel};
}

OpKind firstPhaseOp(TxType type) { return type == TxType::Saga ? OpKind::Action : OpKind::Try; }
OpKind undoOp(TxType type) { return type == TxType::Saga ? OpKind::Compensate : OpKind::Cancel; }

std::vector<std::string> topologicalOrder(const FlowDefinition &flow)
{
    std::vector<std::string> order;
    std::set<std::string> done;
    std::function<void(const FlowBranch &)> visit = [&](const FlowBranch &b) {
        if (done.count(b.id))
            return;
        done.insert(b.id);
        for (const std::string &a : b.after)
            if (const FlowBranch *dep = flow.find(a))
                visit(*dep);
        order.push_back(b.id);
    };
    for (const FlowBranch &b : flow.branches)
        visit(b);
    return order;
}

std::string toJson(const FlowDefinition &flow)
{
    nlohmann::ordered_json j;
    j["name"] = flow.name;
    j["type"] = domain::toString(flow.type);
    nlohmann::ordered_json o;
    o["timeout_to_fail_ms"] = flow.options.timeoutToFailMs;
    o["retry_interval_ms"] = flow.options.retryIntervalMs;
    o["request_timeout_ms"] = flow.options.requestTimeoutMs;
    o["max_retries"] = flow.options.maxRetries;
    o["wait_result"] = flow.options.waitResult;
    if (!flow.options.branchHeaders.empty())
        o["branch_headers"] = flow.options.branchHeaders;
    j["options"] = o;
    nlohmann::ordered_json branches = nlohmann::ordered_json::array();
    for (const FlowBranch &b : flow.branches) {
        nlohmann::ordered_json jb;
        jb["id"] = b.id;
        if (!b.name.empty())
            jb["name"] = b.name;
        if (!b.after.empty())
            jb["after"] = b.after;
        for (OpKind op : opsFor(flow.type))
            if (auto it = b.endpoints.find(op); it != b.endpoints.end())
                jb[domain::toString(op)] = it->second;
        if (!b.payloadJson.empty())  // empty: no body at all (DTM's steps without a payload)
            jb["payload"] = nlohmann::ordered_json::parse(b.payloadJson);
        if (!b.payloadBase64.empty())
            jb["payload_base64"] = b.payloadBase64;
        if (b.notRollbackable)
            jb["not_rollbackable"] = true;
        if (b.requestTimeoutMs > 0)
            jb["request_timeout_ms"] = b.requestTimeoutMs;
        if (b.maxRetries >= 0)
            jb["max_retries"] = b.maxRetries;
        branches.push_back(std::move(jb));
    }
    j["branches"] = std::move(branches);
    return j.dump();
}

}  // namespace coord::flow
