#pragma once

#include "txruntime.h"

#include <climits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace coord::engine {

struct ProcessorConfig {
    int64_t preparedTimeoutMs = 35000;  // client-driven TCC left PREPARED this long is aborted
};

// What a processor decided for one transaction at one moment. Processors only decide; the
// engine records the decision and makes the calls.
struct Step {
    int64_t now = 0;
    std::vector<std::pair<std::string, domain::OpKind>> calls;  // operations to invoke now
    std::optional<domain::TxStatus> newStatus;
    std::string reason;             // rollback reason when newStatus is ABORTING
    int64_t nextDueMs = INT64_MAX;  // when waiting ends (a retry or a timeout)

    void wakeAt(int64_t ms)
    {
        if (ms < nextDueMs)
            nextDueMs = ms;
    }
};

// One processor per transaction type (docs/design.md "Semantics").
void advanceSaga(const TxRuntime &rt, Step &step, const ProcessorConfig &config);
void advanceTcc(const TxRuntime &rt, Step &step, const ProcessorConfig &config);

}  // namespace coord::engine
