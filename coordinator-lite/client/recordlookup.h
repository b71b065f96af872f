#pragma once

#include "connection.h"

#include "domain/types.h"

#include <absl/status/statusor.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace coord::client {

// The coordinator's records of these gids (Coordinator.GetMany, up to 1000 a call); a gid
// missing from the answer is unknown to it.
absl::StatusOr<std::map<std::string, domain::Transaction>> getRecords(
    Connection &connection, const std::vector<std::string> &gids,
    std::chrono::milliseconds timeout);

// Whether the coordinator still holds a transaction created before `sinceMs`: if not, its
// history does not reach back that far (prune-barrier refuses then).
absl::StatusOr<bool> historyReaches(Connection &connection, int64_t sinceMs,
                                    std::chrono::milliseconds timeout);

}  // namespace coord::client
