#pragma once

#include "flow/flowdefinition.h"

#include <absl/status/statusor.h>

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace coord::engine {

// Parsed flows by their exact text, so a service submitting the same flow again and again (the
// usual case) has it parsed and normalised once. Thread-safe; bounded by entries and bytes, the
// least recently used going first. An invalid flow is never kept.
class FlowCache
{
public:
    struct Entry {
        flow::FlowDefinition flow;
        std::string normalJson;  // flow::toJson(flow)
    };

    explicit FlowCache(size_t maxEntries = 256, size_t maxBytes = 16 * 1024 * 1024);

    absl::StatusOr<std::shared_ptr<const Entry>> parse(std::string_view text,
                                                       const flow::FlowLimits &limits);
    size_t size() const;

private:
    using Lru = std::list<std::pair<std::string, std::shared_ptr<const Entry>>>;

    const size_t m_maxEntries;
    const size_t m_maxBytes;
    mutable std::mutex m_mutex;
    Lru m_lru;                                                    // most recently used first
    std::unordered_map<std::string_view, Lru::iterator> m_index;  // keys point into m_lru
    size_t m_bytes = 0;
};

}  // namespace coord::engine
