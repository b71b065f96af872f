#pragma once

#include "domain/types.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace coord::engine {

// Fan-out of committed events to live watchers, with a bounded in-memory tail so that watchers
// close to the head never touch the store. Events are published in sequence order, after commit.
class EventHub
{
public:
    using Listener = std::function<void()>;

    explicit EventHub(int64_t lastSeq = 0, size_t capacity = 65536);

    void publish(const std::vector<domain::Event> &events);
    int64_t lastSeq() const;

    // Events with seq > after from the in-memory tail; nullopt when the tail no longer reaches
    // back that far (read the store instead).
    std::optional<std::vector<domain::Event>> recentAfter(int64_t after, size_t limit) const;

    // The listener is called (on the publishing thread) after each publish, until removed.
    int addListener(Listener listener);
    void removeListener(int id);

private:
    mutable std::mutex m_mutex;
    std::deque<domain::Event> m_tail;
    size_t m_capacity;
    int64_t m_lastSeq;
    std::map<int, Listener> m_listeners;
    int m_nextId = 1;
};

}  // namespace coord::engine
