#include "latencyhistogram.h"

#include <algorithm>
#include <cmath>

namespace coord::stats {

void LatencyHistogram::add(int64_t ms)
{
    const auto it = std::lower_bound(kUpperMs.begin(), kUpperMs.end(), ms);
    ++m_bins[static_cast<size_t>(it - kUpperMs.begin())];
    ++m_count;
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    for (size_t i = 0; i < m_bins.size(); ++i)
        m_bins[i] += other.m_bins[i];
    m_count += other.m_count;
}

int64_t LatencyHistogram::percentile(double fraction) const
{
    if (m_count == 0)
        return 0;
    const auto rank = static_cast<int64_t>(std::ceil(std::clamp(fraction, 0.0, 1.0) * m_count));
    int64_t seen = 0;
    for (size_t i = 0; i < m_bins.size(); ++i) {
        seen += m_bins[i];
        if (seen >= std::max<int64_t>(rank, 1))
            return i < kUpperMs.size() ? kUpperMs[i] : kUpperMs.back() * 2;
    }
    return kUpperMs.back() * 2;
}

}  // namespace coord::stats
