#include "dashboardseries.h"

#include <algorithm>
#include <cmath>

namespace txdesk::models {

using namespace coord::domain;

NiceAxis niceAxis(double maxValue, int maxSteps)
{
    NiceAxis axis;
    if (!(maxValue > 0))
        return axis;  // nothing yet (or not a number): 0 to 1
    const double rough = maxValue / std::max(maxSteps, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    for (double factor : {1.0, 2.0, 5.0, 10.0}) {
        axis.step = factor * magnitude;
        if (axis.step >= rough)
            break;
    }
    axis.steps = std::max(1, static_cast<int>(std::ceil(maxValue / axis.step - 1e-9)));
    axis.top = axis.step * axis.steps;
    return axis;
}

void DashboardSeries::record(const std::vector<Event> &events)
{
    for (const Event &e : events) {
        if (e.kind != EventKind::TxStatusChanged || !isFinal(e.summary.status))
            continue;
        (e.summary.status == TxStatus::Succeeded ? m_succeeded : m_failed)++;
        if (e.summary.finishedMs >= e.summary.createdMs)
            m_durations.push_back(double(e.summary.finishedMs - e.summary.createdMs));
    }
}

const DashboardSeries::Sample &DashboardSeries::sample(qint64 nowMs, int inFlight, int stuck)
{
    Sample s;
    s.atMs = nowMs;
    s.succeeded = m_succeeded;
    s.failed = m_failed;
    s.inFlight = inFlight;
    s.stuck = stuck;
    if (!m_durations.empty()) {
        std::sort(m_durations.begin(), m_durations.end());
        auto at = [&](double q) {
            return m_durations[std::min(m_durations.size() - 1, size_t(q * m_durations.size()))];
        };
        s.p50Ms = at(0.50);
        s.p95Ms = at(0.95);
        s.p99Ms = at(0.99);
    }
    m_succeeded = m_failed = 0;
    m_durations.clear();
    m_history.push_back(s);
    while (m_history.size() > m_keep)
        m_history.pop_front();
    return m_history.back();
}

}  // namespace txdesk::models
