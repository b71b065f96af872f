#pragma once

#include "connection.h"

#include "domain/operator.h"

#include <absl/status/statusor.h>

#include <chrono>

namespace coord::client {

// An operator action (or its dry-run plan) as the Admin RPC that carries it: the one place that
// knows which RPC each action is. Retry of one gid answers an empty plan and no transaction.
// (A retry by filter, `txctl retry --all`, is not one action on one gid: txctl sends Admin.Retry
// itself for it, and for one gid too, since both print Retry's count and gids.)
// Blocks; `reply` holds the wire answer (txctl prints it as it came).
grpc::Status callAction(Connection &connection, const domain::ActionCommand &command,
                        std::chrono::milliseconds timeout, pb::ActionReply *reply);

// The same, answered in domain terms (the console).
absl::StatusOr<domain::ActionOutcome> callAction(Connection &connection,
                                                 const domain::ActionCommand &command,
                                                 std::chrono::milliseconds timeout);

}  // namespace coord::client
