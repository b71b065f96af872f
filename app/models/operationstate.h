#pragma once

#include "domain/types.h"

#include <QString>

// How an operation reads at a glance in the graph and the branch table: not run yet, running,
// done, or being retried — answered ONGOING or a transient error, attempted again later — with
// its attempt count and the countdown to the transaction's next retry.
namespace txdesk::models {

struct OperationState {
    bool retrying = false;
    int attempts = 0;
    qint64 nextRetryInMs = -1;  // -1: none scheduled (paused, or not retrying)
    bool paused = false;

    // "attempt 30 · next in 4 s", "attempt 3 · paused", "attempt 2 · due"; empty unless retrying.
    QString retryText() const;
};

OperationState stateOf(const coord::domain::Operation &op, const coord::domain::TxSummary &tx,
                       qint64 nowMs);

}  // namespace txdesk::models
