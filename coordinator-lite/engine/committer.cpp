#include "committer.h"

#include "eventhub.h"
#include "threadname.h"

#include <spdlog/spdlog.h>

namespace coord::engine {

Committer::Committer(storage::Store &store, EventHub &hub, size_t maxBatch)
    : m_store(store), m_hub(hub), m_maxBatch(maxBatch), m_thread([this] {
          nameThisThread("committer");
          run();
      })
{}

Committer::~Committer() { stop(); }

void Committer::enqueue(storage::TxWrite write, Done done)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.emplace_back(std::move(write), std::move(done));
    }
    m_wake.notify_one();
}

void Committer::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping && !m_thread.joinable())
            return;
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

size_t Committer::queued() const
{
    std::lock_guard lock(m_mutex);
    return m_queue.size();
}

void Committer::run()
{
    std::vector<storage::TxWrite> writes;
    std::vector<Done> callbacks;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty())
                return;  // stopping, and everything is committed
            while (!m_queue.empty() && writes.size() < m_maxBatch) {
                writes.push_back(std::move(m_queue.front().first));
                callbacks.push_back(std::move(m_queue.front().second));
                m_queue.pop_front();
            }
        }
        std::vector<storage::WriteResult> results = m_store.commit(writes);
        std::vector<domain::Event> events;
        int failed = 0;
        for (const auto &r : results) {
            if (r.status.ok())
                events.insert(events.end(), r.events.begin(), r.events.end());
            else if (!absl::IsFailedPrecondition(r.status) && !absl::IsAlreadyExists(r.status))
                ++failed;  // guards losing a race are normal; storage errors are not
        }
        if (failed > 0)
            spdlog::error("commit of {} write(s) failed: {}", failed,
                          std::string(results.front().status.message()));
        m_hub.publish(events);
        for (size_t i = 0; i < callbacks.size(); ++i)
            if (callbacks[i])
                callbacks[i](results[i]);
        writes.clear();
        callbacks.clear();
    }
}

}  // namespace coord::engine
