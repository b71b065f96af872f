#pragma once

#include "txdesk/v1/coordinator.grpc.pb.h"

#include <chrono>
#include <string>

namespace testsupport {

// Waits (on the event stream, never on a timer) until no transaction is unfinished.
bool waitAllFinished(txdesk::v1::Coordinator::Stub &coordinator, std::chrono::seconds limit);
// The first `limit` unfinished transactions with their lease, next retry and operations (for a
// failure message).
std::string describeUnfinished(txdesk::v1::Coordinator::Stub &coordinator, int limit = 10);

}  // namespace testsupport
