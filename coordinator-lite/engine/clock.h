#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace coord::engine {

// Milliseconds since the Unix epoch; tests substitute a manual clock.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual int64_t nowMs() const = 0;
};

class SystemClock : public Clock
{
public:
    int64_t nowMs() const override
    {
        using namespace std::chrono;
        return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    }
};

class ManualClock : public Clock
{
public:
    explicit ManualClock(int64_t startMs = 1'700'000'000'000) : m_now(startMs) {}
    int64_t nowMs() const override { return m_now.load(); }
    void set(int64_t ms) { m_now = ms; }
    void advance(int64_t ms) { m_now += ms; }

private:
    std::atomic<int64_t> m_now;
};

}  // namespace coord::engine
