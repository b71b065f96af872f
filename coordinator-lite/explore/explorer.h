#pragma once

#include "failurepoints.h"
#include "invariants.h"
#include "pathverdict.h"

#include <absl/status/statusor.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace coord::client {
class Connection;
}

// The failure-path explorer: runs a flow once per failure point on a coordinator that allows
// fault injection, against the flow's real services, and judges every path. Shared by
// `txctl explore` and the console; no Qt.
namespace coord::explore {

struct BarrierSource {
    std::string dsn;    // a participant's barrier table (the inspector's DSN forms)
    std::string table;  // empty = the usual one
};

struct ExploreOptions {
    int parallel = 2;  // paths at once; 1 whenever invariants are given (each path its own)
    std::chrono::milliseconds pathTimeout{std::chrono::seconds(60)};
    std::chrono::milliseconds pollInterval{100};
    std::string runId;  // part of every path's gid (explore-RUN-NN); empty = from the time
    std::vector<Invariant> invariants;
    std::vector<BarrierSource> barriers;
};

struct ExploreReport {
    std::string flowName;
    domain::TxType type = domain::TxType::Saga;
    std::string runId;
    std::vector<InvariantValue> baseline;  // the invariants before the first path
    std::vector<PathResult> paths;         // red first, then in the flow's order
    std::vector<std::string> notes;        // what could not be checked, and why
    bool cancelled = false;
    int redCount() const;
};

class Explorer
{
public:
    // Called after each path ends (on the explorer's threads, one at a time).
    using Progress = std::function<void(int done, int total, const PathResult &path)>;

    Explorer(client::Connection &connection, ExploreOptions options);

    // The points the run would try, without running anything.
    static absl::StatusOr<std::vector<FailurePoint>> plan(const std::string &flowJson);

    // Fails only when nothing could be explored (a bad flow, invariants that cannot be read
    // before the start); a path that goes wrong is a red path, not an error.
    absl::StatusOr<ExploreReport> run(const std::string &flowJson, const Progress &progress = {},
                                      const std::atomic<bool> *cancel = nullptr);

private:
    PathResult runPath(const std::string &flowJson, const FailurePoint &point,
                       const std::string &gid, const std::atomic<bool> *cancel,
                       absl::Status &refusal);
    std::vector<InvariantValue> readInvariants() const;  // into `before`
    std::vector<InvariantValue> readInvariantsAfter(std::vector<InvariantValue> values) const;
    void addBarrierFindings(ExploreReport &report);

    client::Connection &m_connection;
    ExploreOptions m_options;
};

}  // namespace coord::explore
