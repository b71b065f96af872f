#pragma once

#include "domain/types.h"

#include <functional>
#include <map>
#include <string>

namespace coord::engine {

// One call of one operation of one branch, with DTM's wire conventions.
struct BranchCall {
    std::string endpoint;
    std::string payload;  // request body (JSON for HTTP, raw bytes for gRPC)
    std::string gid;
    std::string transType;  // "saga" | "tcc"
    std::string branchId;
    std::string op;  // "action", "compensate", "try", "confirm", "cancel"
    int64_t timeoutMs = 3000;
    std::map<std::string, std::string> headers;  // extra HTTP headers / gRPC metadata
};

struct CallResult {
    domain::AttemptOutcome outcome = domain::AttemptOutcome::Transient;
    int statusCode = 0;  // HTTP status or gRPC code; 0 when there was no answer
    std::string error;
    std::string excerpt;  // bounded start of the response body
};

constexpr size_t kExcerptBytes = 512;

// Calls participants. invoke() never blocks and never calls `done` before returning; `done`
// runs exactly once, on an invoker thread.
class BranchInvoker
{
public:
    using Done = std::function<void(CallResult)>;
    virtual ~BranchInvoker() = default;
    virtual void invoke(BranchCall call, Done done) = 0;
};

}  // namespace coord::engine
