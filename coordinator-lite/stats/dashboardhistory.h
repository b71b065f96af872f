#pragma once

#include "latencyhistogram.h"

#include "domain/history.h"
#include "engine/engineobserver.h"

#include <absl/status/status.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace coord::storage {
class Store;
}
namespace coord::engine {
class EventHub;
}

namespace coord::stats {

// What the dashboards show, kept by the coordinator so that a console opened during an
// incident sees the last 5 minutes, hour or day at once: per 5-second interval, the
// transactions that finished (succeeded, rolled back, latency) per flow, the calls per
// participant, and the in-flight and stuck counts.
//
// Finished transactions come from the event stream (every instance's, on a shared store) and,
// for the time before this process started, from the stored transactions (backfill); calls per
// participant are this instance's, as the engine makes them; the counts are sampled from the
// store every 5 s. A thread reads the stream once a second, so nothing is added to the calls'
// path but a counter update per attempt.
class DashboardHistory : public engine::EngineObserver
{
public:
    static constexpr int64_t kBucketMs = 5'000;
    static constexpr int64_t kKeepMs = 24 * 3600 * 1000LL;
    using NowMs = std::function<int64_t()>;

    DashboardHistory(storage::Store &store, engine::EventHub &hub, NowMs now = {});
    ~DashboardHistory() override;

    void start();  // backfills, then follows the stream and samples, on its own thread
    void stop();

    domain::History query(const domain::HistoryQuery &query) const;

    // The steps of the thread, callable directly (tests).
    absl::Status backfill(int maxRows = 2'000'000);
    absl::Status readEvents();
    absl::Status sampleCounts();

    void transactionFinished(const domain::TxSummary &, int64_t) override {}
    void attemptFinished(domain::OpKind op, domain::AttemptOutcome outcome, int64_t durationMs,
                         const std::string &endpoint) override;

private:
    struct Participant {
        int64_t attempts = 0, errors = 0, businessFailures = 0;
    };
    struct Bucket {
        int64_t succeeded = 0, failed = 0;
        LatencyHistogram latency;
        int64_t inFlight = -1, stuck = -1;
        std::map<std::string, domain::FlowFigures> flows;
        std::map<std::string, Participant> participants;
    };

    Bucket &bucketAtLocked(int64_t ms);
    void recordFinishedLocked(const domain::TxSummary &tx);
    void pruneLocked(int64_t nowMs);
    void run();

    storage::Store &m_store;
    engine::EventHub &m_hub;
    NowMs m_now;
    const int64_t m_startedMs;
    int64_t m_seq;  // the last event read (the thread's)
    mutable std::mutex m_mutex;
    std::map<int64_t, Bucket> m_buckets;  // by start
    std::mutex m_wakeMutex;
    std::condition_variable m_wake;
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

}  // namespace coord::stats
