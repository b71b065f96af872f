#pragma once

#include "api/authorizer.h"
#include "api/clientlimits.h"
#include "domain/defaultaddress.h"
#include "domain/operator.h"

#include <absl/status/statusor.h>

#include <set>

#include <string>
#include <vector>

namespace coord::server {

// Command-line options of coordinator-lite.
struct ServerOptions {
    std::string listen = domain::kDefaultAddress;
    std::string db = "coordinator.db";
    std::string config;
    std::string metricsListen;
    std::string dtmListen;       // DTM's HTTP server API; empty = not served
    std::string instanceId;      // empty = derived from host and database
    std::string exitWhenUnused;  // a file the consoles lock; exit when none holds it
    bool sqliteSyncFull = true;
    bool allowFaultInjection = false;  // operators may submit fault plans (the explorer)
    api::ClientLimits limits;
    bool help = false;

    // From the config file only.
    std::vector<api::TokenEntry> tokens;
    std::string tlsCert, tlsKey;
    domain::StuckThresholds stuck;
    int64_t leaseMs = 30000;
    int64_t preparedTimeoutMs = 35000;
    int64_t maxBackoffMs = 300000;  // the longest wait between two retries of an operation

    std::set<std::string> explicitFlags;  // given on the command line: they win over the file
};

absl::StatusOr<ServerOptions> parseServerOptions(const std::vector<std::string> &args);
std::string serverUsage();
// The limit a --max-watches… or --rate-… flag sets, or null for another flag.
int *limitFlag(api::ClientLimits &limits, const std::string &flag);
bool isLoopbackAddress(const std::string &hostPort);

}  // namespace coord::server
