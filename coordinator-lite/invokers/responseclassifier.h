#pragma once

#include "engine/branchinvoker.h"

#include <string_view>

// How participant answers map to outcomes, DTM-compatible (reference/dtm-protocol.md §2.2, §3.2).
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
