#include "eventhub.h"

#include <algorithm>

namespace coord::engine {

EventHub::EventHub(int64_t lastSeq, size_t capacity) : m_capacity(capacity), m_lastSeq(lastSeq) {}

void EventHub::setSource(storage::Store *source)
{
    std::lock_guard order(m_publishMutex);
    m_source = source;
}

void EventHub::publish(const std::vector<domain::Event> &events)
{
    if (events.empty())
        return;
    std::lock_guard order(m_publishMutex);
    if (m_source && events.front().seq > lastSeq() + 1) {
        // Another instance committed before us. When its events cannot be read now (the
        // database restarting), ours wait with them: they are stored, and the follower's next
        // catch-up reads both in order. Publishing ours would skip theirs for good.
        if (!catchUpLocked().ok() || events.front().seq > lastSeq() + 1)
            return;
    }
    append(events);
}

absl::Status EventHub::catchUp()
{
    std::lock_guard order(m_publishMutex);
    return catchUpLocked();
}

absl::Status EventHub::catchUpLocked()
{
    if (!m_source)
        return absl::OkStatus();
    constexpr int kBatch = 1000;
    for (;;) {
        auto events = m_source->eventsAfter(lastSeq(), kBatch);
        if (!events.ok())
            return events.status();
        append(*events);
        if (events->size() < kBatch)
            return absl::OkStatus();
    }
}

void EventHub::append(const std::vector<domain::Event> &events)
{
    if (events.empty())
        return;
    std::vector<Listener> listeners;
    {
        std::lock_guard lock(m_mutex);
        for (const domain::Event &e : events) {
            if (e.seq <= m_lastSeq)
                continue;  // already published
            m_tail.push_back(e);
            m_lastSeq = e.seq;
        }
        while (m_tail.size() > m_capacity)
            m_tail.pop_front();
        listeners.reserve(m_listeners.size());
        for (const auto &[id, l] : m_listeners)
            listeners.push_back(l);
    }
    for (const Listener &l : listeners)
        l();
}

int64_t EventHub::lastSeq() const
{
    std::lock_guard lock(m_mutex);
    return m_lastSeq;
}

std::optional<std::vector<domain::Event>> EventHub::recentAfter(int64_t after, size_t limit) const
{
    std::vector<domain::Event> out;
    if (!visitRecentAfter(after, limit, [&out](const domain::Event &e) { out.push_back(e); }))
        return std::nullopt;
    return out;
}

bool EventHub::visitRecentAfter(int64_t after, size_t limit,
                                const std::function<void(const domain::Event &)> &visit) const
{
    std::lock_guard lock(m_mutex);
    if (after >= m_lastSeq)
        return true;
    if (m_tail.empty() || m_tail.front().seq > after + 1)
        return false;
    auto it = std::lower_bound(m_tail.begin(), m_tail.end(), after + 1,
                               [](const domain::Event &e, int64_t seq) { return e.seq < seq; });
    for (size_t n = 0; it != m_tail.end() && n < limit; ++it, ++n)
        visit(*it);
    return true;
}

int EventHub::addListener(Listener listener)
{
    std::lock_guard lock(m_mutex);
    int id = m_nextId++;
    m_listeners.emplace(id, std::move(listener));
    return id;
}

void EventHub::removeListener(int id)
{
    std::lock_guard lock(m_mutex);
    m_listeners.erase(id);
}

}  // namespace coord::engine
