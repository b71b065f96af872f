#pragma once

#include "domain/operator.h"
#include "processors.h"

namespace coord::engine {

// The plan of what a transaction will do from `rt`'s state onwards, found by running its
// processor on a copy and assuming every call succeeds (the dry run of operator actions).
domain::ActionPlan planFrom(const TxRuntime &rt, int64_t nowMs, const ProcessorConfig &config);

}  // namespace coord::engine
