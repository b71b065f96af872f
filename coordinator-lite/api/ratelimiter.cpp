#include "ratelimiter.h"

#include <absl/strings/str_cat.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace coord::api {

namespace {

// Beyond this many clients in one shard, buckets that are full again are dropped: a client
// not seen for a while starts over with a full bucket anyway.
constexpr size_t kShardClients = 4096;

}  // namespace

RateLimiter::RateLimiter(int ratePerSecond, int burst)
    : m_rate(std::max(ratePerSecond, 0)), m_burst(burst > 0 ? burst : std::max(ratePerSecond, 1))
{}

void RateLimiter::refill(Bucket &bucket, int64_t nowMs) const
{
    const int64_t elapsed = std::max<int64_t>(nowMs - bucket.refilledMs, 0);
    bucket.tokens = std::min(m_burst, bucket.tokens + elapsed * m_rate / 1000.0);
    bucket.refilledMs = nowMs;
}

void RateLimiter::forgetIdle(Shard &shard, int64_t nowMs) const
{
    for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
        refill(it->second, nowMs);
        it = it->second.tokens >= m_burst ? shard.buckets.erase(it) : std::next(it);
    }
}

absl::Status RateLimiter::admit(const std::string &client, int64_t nowMs)
{
    if (!enabled())
        return absl::OkStatus();
    Shard &shard = m_shards[std::hash<std::string>{}(client) % m_shards.size()];
    std::lock_guard lock(shard.mutex);
    auto [it, added] = shard.buckets.try_emplace(client, Bucket{m_burst, nowMs});
    Bucket &bucket = it->second;
    refill(bucket, nowMs);
    if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        if (added && shard.buckets.size() > kShardClients)
            forgetIdle(shard, nowMs);
        return absl::OkStatus();
    }
    const auto retryMs = static_cast<int64_t>(std::ceil((1 - bucket.tokens) * 1000 / m_rate));
    return absl::ResourceExhaustedError(
        absl::StrCat("rate limit of ", m_rate, " requests/s for client ", client,
                     " exceeded; retry after ~", retryMs, " ms (the coordinator's --rate-limit)"));
}

}  // namespace coord::api
