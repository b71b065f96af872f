#pragma once

#include "pq.h"

namespace coord::storage::pg {

// The PostgreSQL schema as an ordered list of migrations; schema_version records how many were
// applied. Instances starting together serialise on an advisory lock, so only one migrates.
int latestSchemaVersion();
absl::Status migrate(pq::Connection &db);

// The channel a commit NOTIFYs (payload: the new last seq), and instances LISTEN on.
inline constexpr const char *kEventsChannel = "txdesk_events";

}  // namespace coord::storage::pg
