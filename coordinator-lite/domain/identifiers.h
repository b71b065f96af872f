#pragma once

#include <string_view>

// The names a transaction and its parts are known by, checked by one rule each wherever they
// come in: flow files, the gRPC API, DTM's API, sim:// endpoints.
namespace coord::domain {

// A gid: 1-128 letters, digits, '-', '_', '.' or ':'.
bool isValidGid(std::string_view gid);
inline constexpr const char *kGidRule = "1-128 letters, digits, '-', '_', '.' or ':' expected";

// A branch id (and a sim:// participant's name): 1-64 letters, digits, '-', '_' or '.'.
bool isValidBranchId(std::string_view id);
inline constexpr const char *kBranchIdRule = "1-64 letters, digits, '-', '_' or '.'";

}  // namespace coord::domain
