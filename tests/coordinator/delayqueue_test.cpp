// The engine's delayed writes: each task after its delay (a burst on one wake-up, up to a quarter
// of the delay early), in posting order, and everything still waiting at once on stop().
#include "engine/delayqueue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

using coord::engine::DelayQueue;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct Runs {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::pair<int, Clock::time_point>> ran;

    std::function<void()> task(int id)
    {
        return [this, id] {
            std::lock_guard lock(mutex);
            ran.emplace_back(id, Clock::now());
            cv.notify_all();
        };
    }
    bool waitFor(size_t count, std::chrono::seconds timeout = 10s)
    {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, timeout, [&] { return ran.size() >= count; });
    }
};

TEST(DelayQueueTest, aTaskRunsAfterItsDelayInPostingOrder)
{
    Runs runs;
    DelayQueue queue(200ms);
    const auto posted = Clock::now();
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(queue.post(runs.task(i)));
    ASSERT_TRUE(runs.waitFor(5));
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(runs.ran[i].first, i);
        EXPECT_GE(runs.ran[i].second - posted, 150ms) << "never sooner than 3/4 of the delay";
    }
}

TEST(DelayQueueTest, aTaskDueSoonAfterAnotherRunsWithIt)
{
    Runs runs;
    DelayQueue queue(800ms);  // up to 200 ms early
    const auto firstPosted = Clock::now();
    ASSERT_TRUE(queue.post(runs.task(1)));
    std::this_thread::sleep_for(100ms);
    const auto secondPosted = Clock::now();
    ASSERT_TRUE(queue.post(runs.task(2)));
    ASSERT_TRUE(runs.waitFor(2));
    EXPECT_GE(runs.ran[0].second - firstPosted, 800ms);
    EXPECT_LT(runs.ran[1].second - secondPosted, 800ms)
        << "the second ran on the first one's wake-up, before its own delay was up";
    EXPECT_GE(runs.ran[1].second - secondPosted, 600ms);
}

TEST(DelayQueueTest, stopRunsWhatWaitsAtOnceAndRefusesMore)
{
    Runs runs;
    DelayQueue queue(std::chrono::milliseconds(60'000));
    ASSERT_TRUE(queue.post(runs.task(1)));
    ASSERT_TRUE(queue.post(runs.task(2)));
    const auto stopped = Clock::now();
    queue.stop();
    ASSERT_EQ(runs.ran.size(), 2u);
    EXPECT_LT(runs.ran[1].second - stopped, 5s);
    EXPECT_FALSE(queue.post(runs.task(3))) << "after stop() the caller does the work itself";
}

}  // namespace
