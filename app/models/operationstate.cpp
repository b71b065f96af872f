#include "operationstate.h"

#include "domain/operator.h"

#include <QCoreApplication>

namespace txdesk::models {

using namespace coord::domain;

OperationState stateOf(const Operation &op, const TxSummary &tx, qint64 nowMs)
{
    OperationState s;
    s.attempts = op.attemptCount;
    s.retrying = isBeingRetried(op) && !isFinal(tx.status);
    if (!s.retrying)
        return s;
    s.paused = tx.retryPaused;
    if (!s.paused && tx.nextRetryMs > 0)
        s.nextRetryInMs = std::max<qint64>(0, tx.nextRetryMs - nowMs);
    return s;
}

QString OperationState::retryText() const
{
    if (!retrying)
        return {};
    const QString attempt =
        QCoreApplication::translate("OperationState", "attempt %1").arg(attempts);
    if (paused)
        return QCoreApplication::translate("OperationState", "%1 · paused").arg(attempt);
    if (nextRetryInMs < 0)
        return attempt;
    if (nextRetryInMs == 0)
        return QCoreApplication::translate("OperationState", "%1 · due").arg(attempt);
    return QCoreApplication::translate("OperationState", "%1 · next in %2 s")
        .arg(attempt)
        .arg((nextRetryInMs + 999) / 1000);
}

}  // namespace txdesk::models
