#pragma once

#include <cstdint>
#include <string>
#include <vector>

// The dashboards' history, as the coordinator keeps it and the console shows it: per interval,
// transactions finished (succeeded, rolled back) with latency percentiles and the in-flight and
// stuck counts; over the whole window, the flows and participant hosts that fail most.
namespace coord::domain {

struct HistoryQuery {
    int64_t windowMs = 300'000;  // how far back: 5 min, 1 h, 24 h
    int64_t stepMs = 5'000;      // one point per step (a multiple of the coordinator's 5 s)
    int top = 10;                // rows of the top-failing tables
};

struct HistoryPoint {
    int64_t startMs = 0;
    int64_t succeeded = 0;
    int64_t failed = 0;                       // rolled back
    int64_t p50Ms = 0, p95Ms = 0, p99Ms = 0;  // creation to final, of those finished here
    int64_t inFlight = -1;                    // -1: not sampled in this interval
    int64_t stuck = -1;
};

struct FlowFigures {
    std::string flow;
    int64_t succeeded = 0;
    int64_t failed = 0;
};

struct ParticipantFigures {
    std::string host;  // host[:port] of HTTP/gRPC endpoints, sim://NAME
    int64_t attempts = 0;
    int64_t errors = 0;            // transient errors and failures
    int64_t businessFailures = 0;  // an action or try said FAILURE: the flow rolled back
};

struct History {
    int64_t nowMs = 0;
    int64_t stepMs = 0;
    int64_t recordedSinceMs = 0;       // older points come from stored transactions (no gauges)
    std::vector<HistoryPoint> points;  // oldest first, covering the window
    std::vector<FlowFigures> flows;    // most rolled back first
    std::vector<ParticipantFigures> participants;  // most errors first
};

}  // namespace coord::domain
