#pragma once

#include <absl/status/status.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace coord::api {

// A token bucket per client: `ratePerSecond` requests/s on average, up to `burst` at once.
// The buckets are spread over shards, each with its own small lock, so calls from different
// clients rarely wait for one another.
class RateLimiter
{
public:
    RateLimiter(int ratePerSecond, int burst);  // rate 0 = off; burst 0 = one second's worth

    bool enabled() const { return m_rate > 0; }
    // Takes one request from the client's bucket: OK, or RESOURCE_EXHAUSTED naming the limit,
    // the client and when a request will be accepted again.
    absl::Status admit(const std::string &client, int64_t nowMs);

private:
    struct Bucket {
        double tokens = 0;
        int64_t refilledMs = 0;
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::string, Bucket> buckets;
    };
    void refill(Bucket &bucket, int64_t nowMs) const;
    void forgetIdle(Shard &shard, int64_t nowMs) const;

    double m_rate;
    double m_burst;
    std::array<Shard, 16> m_shards;
};

}  // namespace coord::api
