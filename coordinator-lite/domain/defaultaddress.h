#pragma once

namespace coord::domain {

// Where a coordinator listens, and where txctl and the console look for one, when told nothing
// else: DTM's usual gRPC port on loopback.
inline constexpr const char *kDefaultAddress = "127.0.0.1:36790";

}  // namespace coord::domain
