#pragma once

#include <atomic>
#include <thread>

namespace coord::storage {
class Store;
}

namespace coord::engine {

class EventHub;

// Brings other instances' events into this instance's hub when the store is shared: waits for
// a commit notification from the store (at most 200 ms, so a lost notification only delays),
// then lets the hub catch up from the store.
class EventFollower
{
public:
    EventFollower(storage::Store &store, EventHub &hub, int pollMs = 200);
    ~EventFollower();
    void stop();

private:
    void run();

    storage::Store &m_store;
    EventHub &m_hub;
    int m_pollMs;
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

}  // namespace coord::engine
