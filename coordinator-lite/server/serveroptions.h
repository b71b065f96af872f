#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <vector>

namespace coord::server {

// Command-line options of coordinator-lite.
struct ServerOptions {
    std::string listen = "127.0.0.1:36790";
    std::string db = "coordinator.db";
    std::string config;
    std::string metricsListen;
    std::string instanceId;  // empty = derived from host and database
    bool sqliteSyncFull = true;
    bool help = false;
};

absl::StatusOr<ServerOptions> parseServerOptions(const std::vector<std::string> &args);
std::string serverUsage();
bool isLoopbackAddress(const std::string &hostPort);

}  // namespace coord::server
