#include "niceaxis.h"

#include <algorithm>
#include <cmath>

namespace txdesk::models {

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

}  // namespace txdesk::models
