#pragma once

#include "domain/types.h"

#include <QtGlobal>

#include <deque>
#include <vector>

namespace txdesk::models {

// Per-interval figures for the dashboards, computed from the live events: finished
// transactions (succeeded / rolled back), latency percentiles, in-flight and stuck counts.
class DashboardSeries
{
public:
    struct Sample {
        qint64 atMs = 0;
        int succeeded = 0;
        int failed = 0;
        double p50Ms = 0, p95Ms = 0, p99Ms = 0;
        int inFlight = 0;
        int stuck = 0;
    };

    explicit DashboardSeries(size_t keep = 300) : m_keep(keep) {}

    void record(const std::vector<coord::domain::Event> &events);
    // Closes the current interval; in-flight and stuck are the caller's current counts.
    const Sample &sample(qint64 nowMs, int inFlight, int stuck);
    const std::deque<Sample> &history() const { return m_history; }

private:
    size_t m_keep;
    int m_succeeded = 0;
    int m_failed = 0;
    std::vector<double> m_durations;
    std::deque<Sample> m_history;
};

}  // namespace txdesk::models
