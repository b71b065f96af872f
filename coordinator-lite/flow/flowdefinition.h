#pragma once

#include "domain/types.h"
#include "endpoint.h"  // checkEndpoint, schemeOf

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Flow definitions (*.txflow.json): the parser (flowparser.cpp), the validator
// (flowvalidator.cpp) and the normalised JSON form. The one implementation, shared by
// coordinator-lite and the console's designer.
namespace coord::flow {

struct FlowIssue {
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    std::string field;     // JSON path, e.g. "flow.branches[1].compensate"
    std::string message;   // human-readable, names the problem
    std::string branchId;  // the branch it is about, if any
};

struct FlowBranch {
    std::string id;
    std::string name;
    std::vector<std::string> after;
    std::map<domain::OpKind, std::string> endpoints;  // action/compensate or try/confirm/cancel
    std::string payloadJson = "{}";                   // compact JSON text of "payload"
    std::string payloadBase64;  // "payload_base64" (gRPC endpoints); empty when absent
    bool notRollbackable = false;
    int64_t requestTimeoutMs = 0;  // 0 = the flow's
    int maxRetries = -1;           // -1 = the flow's
};

struct FlowDefinition {
    std::string name;
    domain::TxType type = domain::TxType::Saga;
    domain::TxOptions options;
    std::vector<FlowBranch> branches;

    const FlowBranch *find(std::string_view id) const;
};

struct FlowLimits {
    size_t maxBranches = 1000;
    size_t maxPayloadBytes = 256 * 1024;
};

struct ParseResult {
    std::optional<FlowDefinition> flow;  // set when there is no error
    std::vector<FlowIssue> issues;       // errors and warnings, in document order
    bool ok() const { return flow.has_value(); }
    const FlowIssue *firstError() const;
};

// Accepts a whole .txflow.json document ({"flow":…,"layout":…}) or the bare flow object.
ParseResult parseFlow(std::string_view json, const FlowLimits &limits = {});

// Only the structure (JSON, keys, types): `flow` is set even when validateFlow would find
// problems, so an editor can open a flow that still needs fixing.
ParseResult parseFlowStructure(std::string_view json, const FlowLimits &limits = {});

// Semantic checks on a parsed flow: cycles, missing operations, endpoints, ordering hazards.
std::vector<FlowIssue> validateFlow(const FlowDefinition &flow, const FlowLimits &limits = {});

// The normalised flow object, keys in a stable order (for storage and small diffs).
std::string toJson(const FlowDefinition &flow);

// Branch ids in an order where every branch comes after the branches it depends on.
// Requires an acyclic flow.
std::vector<std::string> topologicalOrder(const FlowDefinition &flow);

// The operations a branch of this type carries.
std::vector<domain::OpKind> opsFor(domain::TxType type);
domain::OpKind firstPhaseOp(domain::TxType type);  // action / try
domain::OpKind undoOp(domain::TxType type);        // compensate / cancel

}  // namespace coord::flow
