#include "timelinemapping.h"

#include <algorithm>
#include <cmath>

namespace txdesk::models {

using namespace coord::domain;

void TimelineMapping::zoomAt(double x, double factor)
{
    if (factor <= 0)
        return;
    const qint64 pinned = toMs(x);
    msPerPixel = std::clamp(msPerPixel / factor, 1e-3, 1e9);
    startMs = pinned - qint64((x - originX) * msPerPixel);
}

TimelineMapping TimelineMapping::fit(qint64 fromMs, qint64 toMs, double originX, double width)
{
    TimelineMapping m;
    m.originX = originX;
    m.startMs = fromMs;
    const double span = double(std::max<qint64>(toMs - fromMs, 1));
    m.msPerPixel = span / std::max(width, 1.0);
    return m;
}

qint64 TimelineMapping::tickStepMs(double minPixels) const
{
    const double minMs = std::max(minPixels * msPerPixel, 1.0);
    double magnitude = std::pow(10.0, std::floor(std::log10(minMs)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= minMs)
            return qint64(m * magnitude);
    return qint64(10 * magnitude);
}

std::vector<TimelineBar> timelineBars(const Transaction &tx)
{
    std::vector<TimelineBar> bars;
    for (size_t lane = 0; lane < tx.branches.size(); ++lane)
        for (const Operation &op : tx.branches[lane].ops)
            for (size_t i = 0; i < op.attempts.size(); ++i) {
                const Attempt &a = op.attempts[i];
                TimelineBar b;
                b.lane = int(lane);
                b.startMs = a.startedMs;
                b.endMs = std::max(a.endedMs, a.startedMs);
                b.op = op.op;
                b.outcome = a.outcome;
                b.attemptIndex = int(i);
                b.undo = op.op == OpKind::Compensate || op.op == OpKind::Cancel;
                bars.push_back(b);
            }
    std::sort(bars.begin(), bars.end(),
              [](const TimelineBar &a, const TimelineBar &b) { return a.startMs < b.startMs; });
    return bars;
}

}  // namespace txdesk::models
