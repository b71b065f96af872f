#pragma once

#include "flow/flowdefinition.h"

#include <absl/status/statusor.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

// DTM's server API requests as dtm's SDK sends them, and what they mean for the engine. DTM's
// units (seconds) are converted to ours (milliseconds) here, once.
namespace coord::dtm {

struct DtmStep {
    std::string action;
    std::string compensate;
};

// The TransGlobal body of prepare, submit and abort (dtmcli/dtmimp/trans_base.go TransBase;
// over gRPC dtmgimp.DtmRequest).
struct DtmTrans {
    std::string gid;
    std::string transType;
    std::vector<DtmStep> steps;
    std::vector<std::string> payloads;  // one request body per step, raw bytes
    std::string customData;             // saga: {"concurrent":true,"orders":{"1":[0]}}
    bool waitResult = false;
    int64_t timeoutToFailS = 0;
    int64_t requestTimeoutS = 0;
    int64_t retryIntervalS = 0;
    int64_t retryLimit = 0;
    std::map<std::string, std::string> branchHeaders;
    std::string rollbackReason;
};

// registerBranch: a TCC branch's confirm and cancel (dtmsvr/api.go registerBranch).
struct DtmBranch {
    std::string gid;
    std::string transType;
    std::string branchId;
    std::string confirm;
    std::string cancel;
    std::string data;  // bytes sent to confirm and cancel
};

// DTM's defaults where a transaction sets nothing (dtmsvr/config/config.go).
constexpr int64_t kDefaultRetryIntervalMs = 10000;
constexpr int64_t kDefaultRequestTimeoutMs = 3000;

// HTTP bodies (JSON). InvalidArgument naming the field when the body is not what the SDK sends.
absl::StatusOr<DtmTrans> parseTransJson(std::string_view body);
absl::StatusOr<DtmBranch> parseBranchJson(std::string_view body);
// The gRPC request's Steps field: JSON text of [{"action":..,"compensate":..}], or "null".
absl::StatusOr<std::vector<DtmStep>> parseStepsJson(std::string_view steps);

// Checks shared by both transports: a gid we accept, sizes within the limits.
absl::Status checkTrans(const DtmTrans &trans, const flow::FlowLimits &limits);

// A DTM saga as a flow of the engine: step i becomes branch "01", "02"… (DTM's branch ids, so
// barriers keyed on them work unchanged); sequential sagas order each step after the previous,
// concurrent ones follow custom_data's orders; an empty URL is an operation left out (DTM counts
// it as done without a call); payloads are sent byte for byte.
absl::StatusOr<flow::FlowDefinition> sagaFlow(const DtmTrans &trans);

// A readable name: the last path segment of each step's action, "TransOut → TransIn".
std::string flowNameOf(const std::vector<DtmStep> &steps);
std::string endpointName(std::string_view url);  // "TransOut" of http://h/api/TransOut

}  // namespace coord::dtm
