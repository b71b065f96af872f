#pragma once

#include "domain/types.h"
#include "storage/store.h"

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

    // For a store shared with other instances, whose events reach this one only through the
    // store: publish() first reads from `source` any events missing before the published ones,
    // and catchUp() reads whatever was committed since lastSeq(). Watchers so see every seq,
    // in order, whichever instance committed it; when the gap cannot be read yet, publish()
    // leaves its events to the next catchUp() rather than skip the gap.
    void setSource(storage::Store *source);
    absl::Status catchUp();
    int64_t lastSeq() const;

    // Events with seq > after from the in-memory tail; nullopt when the tail no longer reaches
    // back that far (read the store instead).
    std::optional<std::vector<domain::Event>> recentAfter(int64_t after, size_t limit) const;
    // The same events handed to `visit` one by one under the hub's lock, without copies; false
    // when the tail no longer reaches back that far. `visit` must not call the hub.
    bool visitRecentAfter(int64_t after, size_t limit,
                          const std::function<void(const domain::Event &)> &visit) const;

    // The listener is called (on the publishing thread) after each publish, until removed.
    int addListener(Listener listener);
    void removeListener(int id);

private:
    void append(const std::vector<domain::Event> &events);
    absl::Status catchUpLocked();

    std::mutex m_publishMutex;  // one publisher at a time, so gaps are filled in order
    storage::Store *m_source = nullptr;
    mutable std::mutex m_mutex;
    std::deque<domain::Event> m_tail;
    size_t m_capacity;
    int64_t m_lastSeq;
    std::map<int, Listener> m_listeners;
    int m_nextId = 1;
};

}  // namespace coord::engine
