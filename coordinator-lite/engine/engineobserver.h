#pragma once

#include "domain/types.h"

namespace coord::engine {

// Told about what the engine does, for metrics and the dashboards' history. Called on engine
// threads; must not block.
class EngineObserver
{
public:
    virtual ~EngineObserver() = default;
    virtual void transactionFinished(const domain::TxSummary &tx, int64_t durationMs) = 0;
    virtual void attemptFinished(domain::OpKind op, domain::AttemptOutcome outcome,
                                 int64_t durationMs, const std::string &endpoint) = 0;
};

}  // namespace coord::engine
