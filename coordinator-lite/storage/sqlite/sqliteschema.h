#pragma once

#include "sqlite.h"

namespace coord::storage::sqlite {

// The schema as an ordered list of migrations; schema_version records how many were applied.
int latestSchemaVersion();
absl::Status migrate(Connection &db);

}  // namespace coord::storage::sqlite
