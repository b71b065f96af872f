#pragma once

#include "failurepoints.h"
#include "invariants.h"

#include "domain/types.h"

#include <optional>
#include <string>
#include <vector>

namespace coord::explore {

// What one explored path did and whether it left the services consistent.
struct PathResult {
    FailurePoint point;
    std::string gid;
    std::optional<domain::Transaction> record;  // the coordinator's, once read
    bool finished = false;
    std::vector<std::string> undone;  // compensations/cancels that took effect, in order
    int attempts = 0;                 // calls made in all
    int64_t durationMs = 0;
    std::vector<InvariantValue> invariants;
    std::vector<std::string> findings;  // the inspector's problems for this gid
    std::vector<std::string> problems;  // why it is red; empty = green
    bool red() const { return !problems.empty(); }
    std::string statusText() const;  // SUCCEEDED, FAILED, … or "unfinished" / "not started"
};

// Fills in what the record says (undone, attempts, duration) and the problems it shows: not
// ended, ended other than the flow promises for this failure, forward and undo operations mixed
// (a confirmed branch next to a cancelled one), or the fault never reached.
void judge(PathResult &path, const domain::Transaction &record);

}  // namespace coord::explore
