#pragma once

#include <cstdint>
#include <vector>

// The engine's retry rules as plain functions: the engine schedules its retries with them, and
// the designer's retry what-if replays them, so the plot cannot drift from what runs.
namespace coord::domain {

// The wait before the next attempt after `consecutiveErrors` (>= 1) errors in a row: the retry
// interval, doubled for each further error, never more than maxBackoffMs.
int64_t backoffMs(int64_t retryIntervalMs, int consecutiveErrors, int64_t maxBackoffMs);
// The wait after an ONGOING answer ("not yet"): the plain interval, no backoff.
int64_t ongoingWaitMs(int64_t retryIntervalMs);
// Whether an operation attempted attemptCount times is past its retry limit (0 = none): the
// first phase then gives up and rolls back.
bool pastRetryLimit(int attemptCount, int limit);
// When a transaction created at createdMs times out (timeout_to_fail), or 0 for never.
int64_t timeoutDeadline(int64_t createdMs, int64_t timeoutMs);

// What-if: a first-phase operation (SAGA action, TCC try) whose participant is down — every
// call a transient error — for the first downForMs after the transaction starts, then answers.
struct RetryWhatIfInput {
    int64_t retryIntervalMs = 1000;
    int64_t maxBackoffMs = 300000;  // the coordinator's cap (engine.max_backoff_ms)
    int64_t timeoutToFailMs = 0;    // 0 = never
    int maxRetries = 0;             // 0 = unlimited
    int64_t requestTimeoutMs = 3000;
    int64_t downForMs = 600000;
    bool hangs = false;                      // down = no answer (each call waits requestTimeoutMs)
    int64_t callMs = 0;                      // otherwise how long a refused call takes
    int64_t horizonMs = 24 * 3600 * 1000LL;  // stop looking after this long
};

enum class RetryWhatIfEnd {
    Succeeds,    // the participant came back and the call went through
    RetryLimit,  // max_retries ran out first: the flow rolls back
    TimedOut,    // timeout_to_fail came first: the flow rolls back
    StillTrying  // neither within the horizon
};

struct RetryWhatIfAttempt {
    int64_t startMs = 0;  // after the transaction's start
    int64_t endMs = 0;
    bool succeeded = false;
};

struct RetryWhatIf {
    std::vector<RetryWhatIfAttempt> attempts;
    RetryWhatIfEnd end = RetryWhatIfEnd::StillTrying;
    int64_t endMs = 0;  // when it succeeded or gave up
};

RetryWhatIf retryWhatIf(const RetryWhatIfInput &input);

}  // namespace coord::domain
