#include "delayqueue.h"

#include "threadname.h"

#include <vector>

namespace coord::engine {

DelayQueue::DelayQueue(std::chrono::milliseconds delay)
    : m_delay(delay), m_early(delay / 4), m_thread([this] {
          nameThisThread("delayed-writes");
          run();
      })
{}

DelayQueue::~DelayQueue() { stop(); }

bool DelayQueue::post(std::function<void()> task)
{
    std::lock_guard lock(m_mutex);
    if (m_stopping)
        return false;
    const bool wasEmpty = m_tasks.empty();
    m_tasks.emplace_back(Clock::now() + m_delay, std::move(task));
    if (wasEmpty)
        m_wake.notify_one();
    return true;
}

void DelayQueue::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

void DelayQueue::run()
{
    std::unique_lock lock(m_mutex);
    std::vector<std::function<void()>> due;
    for (;;) {
        if (m_tasks.empty()) {
            if (m_stopping)
                return;
            m_wake.wait(lock);
            continue;
        }
        if (!m_stopping && Clock::now() < m_tasks.front().first) {
            m_wake.wait_until(lock, m_tasks.front().first);
            continue;
        }
        // The first task is due: those due soon after it come along (one wake-up for a burst,
        // not one per task; under load a task is posted every few hundred microseconds).
        const auto horizon = Clock::now() + m_early;
        while (!m_tasks.empty() && (m_stopping || m_tasks.front().first <= horizon)) {
            due.push_back(std::move(m_tasks.front().second));
            m_tasks.pop_front();
        }
        lock.unlock();
        for (auto &task : due)
            task();
        due.clear();
        lock.lock();
    }
}

}  // namespace coord::engine
