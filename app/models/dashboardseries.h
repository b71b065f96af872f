#pragma once

#include "domain/types.h"

#include <QtGlobal>

#include <deque>
#include <vector>

namespace txdesk::models {

// A value axis from 0 that ends on a round number, with round ticks: steps of 1, 2 or 5 times
// a power of ten, at most `maxSteps` of them (0, 2, 4, 6, 8, 10 rather than 0, 3.1625, 6.325).
struct NiceAxis {
    double top = 1;
    double step = 1;
    int steps = 1;  // tick count - 1
};
NiceAxis niceAxis(double maxValue, int maxSteps = 5);

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
