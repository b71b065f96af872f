#pragma once

#include "domain/types.h"

namespace coord::engine {

// Told about what the engine does, for metrics. Called on engine threads; must not block.
class EngineObserver
{
public:
    virtual ~EngineObserver() = default;
    virtual void transactionFinished(domain::TxType type, domain::TxStatus status,
                                     int64_t durationMs) = 0;
    virtual void attemptFinished(domain::OpKind op, domain::AttemptOutcome outcome,
                                 int64_t durationMs) = 0;
};

}  // namespace coord::engine
