#include "flowcache.h"

namespace coord::engine {

FlowCache::FlowCache(size_t maxEntries, size_t maxBytes)
    : m_maxEntries(maxEntries), m_maxBytes(maxBytes)
{}

absl::StatusOr<std::shared_ptr<const FlowCache::Entry>> FlowCache::parse(
    std::string_view text, const flow::FlowLimits &limits)
{
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_index.find(text); it != m_index.end()) {
            m_lru.splice(m_lru.begin(), m_lru, it->second);
            return it->second->second;
        }
    }
    // Parsed outside the lock: two threads may parse the same new text once each.
    flow::ParseResult parsed = flow::parseFlow(text, limits);
    if (!parsed.ok()) {
        const flow::FlowIssue *e = parsed.firstError();
        return absl::InvalidArgumentError(e ? e->message : "invalid flow");
    }
    auto entry = std::make_shared<Entry>();
    entry->normalJson = flow::toJson(*parsed.flow);
    entry->flow = std::move(*parsed.flow);
    const size_t bytes = text.size() + entry->normalJson.size();
    if (bytes > m_maxBytes / 4)
        return entry;  // too large to keep
    std::lock_guard lock(m_mutex);
    if (auto it = m_index.find(text); it != m_index.end())
        return it->second->second;
    m_lru.emplace_front(std::string(text), entry);
    m_index.emplace(m_lru.front().first, m_lru.begin());
    m_bytes += bytes;
    while (m_lru.size() > m_maxEntries || m_bytes > m_maxBytes) {
        const auto &[key, old] = m_lru.back();
        m_bytes -= key.size() + old->normalJson.size();
        m_index.erase(key);
        m_lru.pop_back();
    }
    return entry;
}

size_t FlowCache::size() const
{
    std::lock_guard lock(m_mutex);
    return m_lru.size();
}

}  // namespace coord::engine
