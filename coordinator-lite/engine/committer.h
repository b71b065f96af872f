#pragma once

#include "storage/store.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace coord::engine {

class EventHub;

// Group commit: writes queued from any thread are committed in batches by one thread, so one
// fsync covers many transactions. After a batch is durable its events are published and each
// write's callback runs (on the committer thread).
class Committer
{
public:
    using Done = std::function<void(const storage::WriteResult &)>;

    Committer(storage::Store &store, EventHub &hub, size_t maxBatch = 4096);
    ~Committer();

    void enqueue(storage::TxWrite write, Done done);
    // Commits what is queued, then stops the thread.
    void stop();
    size_t queued() const;

private:
    void run();

    storage::Store &m_store;
    EventHub &m_hub;
    size_t m_maxBatch;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::pair<storage::TxWrite, Done>> m_queue;
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace coord::engine
