#include "retryschedule.h"

#include <algorithm>

namespace coord::domain {

int64_t backoffMs(int64_t retryIntervalMs, int consecutiveErrors, int64_t maxBackoffMs)
{
    int64_t interval = std::max<int64_t>(retryIntervalMs, 1);
    for (int i = 1; i < consecutiveErrors && interval < maxBackoffMs; ++i)
        interval *= 2;
    return std::min(interval, maxBackoffMs);
}

int64_t ongoingWaitMs(int64_t retryIntervalMs) { return std::max<int64_t>(retryIntervalMs, 1); }

bool pastRetryLimit(int attemptCount, int limit) { return limit > 0 && attemptCount > limit; }

int64_t timeoutDeadline(int64_t createdMs, int64_t timeoutMs)
{
    return timeoutMs > 0 ? createdMs + timeoutMs : 0;
}

// The engine's loop for one operation, replayed: a deadline that passes (during a wait or a
// call) aborts at that moment; after each error the retry limit is checked at once, then the
// backoff is waited.
RetryWhatIf retryWhatIf(const RetryWhatIfInput &in)
{
    RetryWhatIf out;
    const int64_t deadline = timeoutDeadline(0, in.timeoutToFailMs);
    const int64_t upMs = std::max<int64_t>(in.callMs, 0);
    const int64_t downMs = in.hangs ? std::max<int64_t>(in.requestTimeoutMs, 1) : upMs;
    auto stop = [&](RetryWhatIfEnd end, int64_t at) {
        out.end = end;
        out.endMs = at;
        return out;
    };
    int64_t t = 0;
    int errors = 0;
    while (t <= in.horizonMs) {
        if (deadline > 0 && t >= deadline)
            return stop(RetryWhatIfEnd::TimedOut, deadline);
        const bool up = t >= in.downForMs;
        const int64_t end = t + (up ? upMs : downMs);
        out.attempts.push_back({t, end, up});
        if (deadline > 0 && end >= deadline)
            return stop(RetryWhatIfEnd::TimedOut, deadline);
        if (up)
            return stop(RetryWhatIfEnd::Succeeds, end);
        if (pastRetryLimit(static_cast<int>(out.attempts.size()), in.maxRetries))
            return stop(RetryWhatIfEnd::RetryLimit, end);
        t = end + backoffMs(in.retryIntervalMs, ++errors, in.maxBackoffMs);
    }
    return stop(RetryWhatIfEnd::StillTrying, in.horizonMs);
}

}  // namespace coord::domain
