#pragma once

// A value axis from 0 that ends on a round number, with round ticks: steps of 1, 2 or 5 times
// a power of ten, at most `maxSteps` of them (0, 2, 4, 6, 8, 10 rather than 0, 3.1625, 6.325).
namespace txdesk::models {

struct NiceAxis {
    double top = 1;
    double step = 1;
    int steps = 1;  // tick count - 1
};
NiceAxis niceAxis(double maxValue, int maxSteps = 5);

}  // namespace txdesk::models
