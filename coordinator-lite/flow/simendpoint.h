#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coord::flow {

// A simulated participant address: sim://NAME?latency=20ms&fail=0.1&ongoing=0&hang=0&seed=7
//   latency    delay before answering (ms, or with a ms/s suffix)
//   fail       probability of a business FAILURE
//   ongoing    probability of ONGOING (not yet)
//   transient  probability of a transient error (like a 503)
//   hang       probability of never answering (the call times out)
//   fail_first answer FAILURE to the first N attempts of each operation, then succeed
//   transient_first, ongoing_first   the same for transient errors and ONGOING
//   seed       makes the random choices repeatable
struct SimSpec {
    std::string name;
    int64_t latencyMs = 0;
    double fail = 0, ongoing = 0, transient = 0, hang = 0;
    int failFirst = 0, transientFirst = 0, ongoingFirst = 0;
    uint64_t seed = 0;
};

// Parses a sim:// endpoint; on error returns nullopt and sets *error.
std::optional<SimSpec> parseSimEndpoint(std::string_view endpoint, std::string *error);

}  // namespace coord::flow
