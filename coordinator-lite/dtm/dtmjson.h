#pragma once

#include "domain/types.h"

#include <nlohmann/json.hpp>

#include <string>

// Our transactions as a DTM client reads them from query and all (dtmsvr/storage/trans.go
// TransGlobalStore and TransBranchStore): DTM's field names, status names and row layout.
namespace coord::dtm {

// RFC 3339 in the local zone, as Go's time.Time marshals: 2026-12-01T16:00:35.123+01:00.
std::string dtmTime(int64_t ms);
nlohmann::json globalJson(const domain::Transaction &tx);
nlohmann::json globalJson(const domain::TxSummary &summary);
// DTM's rows: per step a compensate then an action row (SAGA), a cancel then a confirm (TCC).
nlohmann::json branchesJson(const domain::Transaction &tx);

}  // namespace coord::dtm
