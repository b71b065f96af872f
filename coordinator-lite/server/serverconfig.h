#pragma once

#include "serveroptions.h"

namespace coord::server {

// Reads the YAML config file into `options`; command-line flags already in `options` win.
// Errors name the file, the key and the line.
absl::Status loadConfigFile(const std::string &path, ServerOptions &options);

}  // namespace coord::server
