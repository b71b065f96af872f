#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace coord::engine {

// Runs each posted task once a fixed delay has passed (or up to a quarter of it sooner, with an
// earlier task that is due), in posting order, on its own thread. The engine uses it to bound
// how long changes that gate nothing wait for the next write.
class DelayQueue
{
public:
    explicit DelayQueue(std::chrono::milliseconds delay);
    ~DelayQueue();

    // False (and the task dropped) once stopped: the caller does the work itself.
    bool post(std::function<void()> task);
    // Runs every task still waiting, now, then stops the thread.
    void stop();

private:
    using Clock = std::chrono::steady_clock;
    void run();

    const std::chrono::milliseconds m_delay;
    const std::chrono::milliseconds m_early;  // how much sooner a task may run with another
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::pair<Clock::time_point, std::function<void()>>> m_tasks;
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace coord::engine
