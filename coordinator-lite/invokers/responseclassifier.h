#pragma once

#include "engine/branchinvoker.h"

#include <string_view>

// How participant answers map to outcomes, DTM-compatible (dtm client/dtmcli/utils.go,
// HTTPResp2DtmError: 409 or FAILURE in the body is a failure, 425 or ONGOING is ongoing; 200 is
// success; anything else is retried).
namespace coord::invokers {

// HTTP: 425 or a body containing ONGOING = ongoing; 409 or a body containing FAILURE = failure;
// other non-200 = transient; 200 = success. `transportError` non-empty = no answer.
engine::CallResult classifyHttp(long status, std::string_view body,
                                std::string_view transportError);

// gRPC: OK = success; ABORTED = failure (message "ONGOING" = ongoing, the old convention);
// FAILED_PRECONDITION = ongoing; anything else = transient.
engine::CallResult classifyGrpc(int code, std::string_view message, std::string_view body);

std::string excerptOf(std::string_view body);

}  // namespace coord::invokers
