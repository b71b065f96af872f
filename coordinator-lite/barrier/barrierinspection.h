#pragma once

#include "barriertable.h"

#include <absl/status/statusor.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

// The inspector's runs over a whole barrier table, shared by txctl and the console: a page of
// gids at a time from the table, the coordinator's records of that page in one look-up.
namespace coord::barrier {

// The coordinator's records of these gids; a gid missing from the answer is unknown to it.
using RecordLookup = std::function<absl::StatusOr<std::map<std::string, domain::Transaction>>(
    const std::vector<std::string> &gids)>;

struct InspectionOptions {
    std::string participant;  // see inspectGid
    int pageGids = 500;       // gids read and looked up at once (GetMany takes up to 1000)
};

struct InspectionCounts {
    int64_t gids = 0;
    int64_t rows = 0;
    int64_t problems = 0;
    int64_t inFlight = 0;
};

// Every finding goes to onFinding; onPage gets the running counts after each page and stops
// the run by answering false (the answer then holds the counts so far).
absl::StatusOr<InspectionCounts> inspectTable(
    BarrierTable &table, const RecordLookup &lookup, const InspectionOptions &options,
    const std::function<void(const Finding &)> &onFinding,
    const std::function<bool(const InspectionCounts &)> &onPage = {});

// What prune-barrier deletes: every row of a gid the coordinator knows as finished
// (succeeded or rolled back) before the cut-off; rows of unfinished, recent and unknown gids
// stay.
struct PrunePlan {
    std::vector<std::string> gids;  // to delete, in gid order
    int64_t rows = 0;               // their rows
    int64_t keptUnfinishedRows = 0;
    int64_t keptRecentRows = 0;
    int64_t keptUnknownRows = 0;
    int64_t gidsRead = 0;
    int64_t rowsRead = 0;
};
bool isPrunable(const domain::Transaction &record, int64_t cutoffMs);

absl::StatusOr<PrunePlan> planPrune(BarrierTable &table, const RecordLookup &lookup,
                                    int64_t cutoffMs, int pageGids = 500);
// Deletes the plan's gids in batches of `batchGids` (one database transaction each), so a
// long clean-up never holds a lock on the service's table for long.
absl::StatusOr<int64_t> applyPrune(BarrierTable &table, const PrunePlan &plan, int batchGids = 500);

}  // namespace coord::barrier
