#pragma once

#include "domain/types.h"

#include <QtGlobal>

#include <vector>

namespace txdesk::models {

// Time <-> pixel for the timeline: a plain value, zoomed and panned by the view.
struct TimelineMapping {
    qint64 startMs = 0;       // the time at x = originX
    double msPerPixel = 1.0;  // > 0
    double originX = 0;       // where the time axis starts (after the lane labels)

    double toX(qint64 ms) const { return originX + double(ms - startMs) / msPerPixel; }
    qint64 toMs(double x) const { return startMs + qint64((x - originX) * msPerPixel); }
    // Zooms by `factor` (> 1 = in) keeping the time under x where it is.
    void zoomAt(double x, double factor);
    void pan(double dx) { startMs -= qint64(dx * msPerPixel); }
    // Shows [fromMs, toMs] across `width` pixels after originX (never narrower than 1 ms).
    static TimelineMapping fit(qint64 fromMs, qint64 toMs, double originX, double width);
    // A "nice" tick step (1, 2, 5 x 10^n ms) giving ticks at least minPixels apart.
    qint64 tickStepMs(double minPixels) const;
};

// One attempt as a bar: its lane (branch), time span and what it was.
struct TimelineBar {
    int lane = 0;
    qint64 startMs = 0;
    qint64 endMs = 0;
    coord::domain::OpKind op = coord::domain::OpKind::Action;
    coord::domain::AttemptOutcome outcome = coord::domain::AttemptOutcome::Success;
    int attemptIndex = 0;
    bool undo = false;  // a compensation or cancel
};

std::vector<TimelineBar> timelineBars(const coord::domain::Transaction &tx);

}  // namespace txdesk::models
