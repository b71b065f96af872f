#include "delayqueue.h"

#include "threadname.h"

namespace coord::engine {

DelayQueue::DelayQueue(std::chrono::milliseconds delay)
    : m_delay(delay), m_thread([this] {
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
        auto task = std::move(m_tasks.front().second);
        m_tasks.pop_front();
        lock.unlock();
        task();
        lock.lock();
    }
}

}  // namespace coord::engine
