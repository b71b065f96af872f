#pragma once

#include <array>
#include <cstdint>

namespace coord::stats {

// Durations counted in fixed bins (1 ms … 1 h, roughly 1-2-5 steps), so that intervals merge by
// adding and percentiles cost nothing to keep. A percentile reads as its bin's upper bound.
class LatencyHistogram
{
public:
    static constexpr std::array<int64_t, 20> kUpperMs{
        1,     2,     5,      10,     20,     50,      100,     200,     500,       1'000,
        2'000, 5'000, 10'000, 30'000, 60'000, 120'000, 300'000, 600'000, 1'800'000, 3'600'000};

    void add(int64_t ms);
    void merge(const LatencyHistogram &other);
    int64_t count() const { return m_count; }
    // The duration `fraction` (0..1) of the counted ones took at most; 0 when none.
    int64_t percentile(double fraction) const;

private:
    std::array<int64_t, kUpperMs.size() + 1> m_bins{};  // the last: longer than an hour
    int64_t m_count = 0;
};

}  // namespace coord::stats
