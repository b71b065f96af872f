#pragma once

#include "domain/types.h"

#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace txdesk::models {

// The table's rows in fixed-size chunks: appending never moves a row (a vector reallocating a
// million summaries stalled the GUI thread for ~0.2 s), and a row is two loads away.
class SummaryRows
{
public:
    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    coord::domain::TxSummary &operator[](size_t i) { return (*m_chunks[i >> kBits])[i & kMask]; }
    const coord::domain::TxSummary &operator[](size_t i) const
    {
        return (*m_chunks[i >> kBits])[i & kMask];
    }
    coord::domain::TxSummary &back() { return (*this)[m_size - 1]; }
    void push_back(const coord::domain::TxSummary &t)
    {
        if ((m_size & kMask) == 0)
            m_chunks.push_back(std::make_unique<Chunk>());
        (*m_chunks.back())[m_size & kMask] = t;
        ++m_size;
    }
    void clear()
    {
        m_chunks.clear();
        m_size = 0;
    }

private:
    static constexpr size_t kBits = 12, kMask = (size_t{1} << kBits) - 1;
    using Chunk = std::array<coord::domain::TxSummary, size_t{1} << kBits>;
    std::vector<std::unique_ptr<Chunk>> m_chunks;
    size_t m_size = 0;
};

// Row by gid, in 64 independent hash tables: growing past a million gids rehashes one of them
// at a time (one table of a million entries stalled the GUI thread for ~0.5 s when it grew).
class GidIndex
{
public:
    int find(const std::string &gid) const
    {
        const auto &shard = shardOf(gid);
        auto it = shard.find(gid);
        return it == shard.end() ? -1 : it->second;
    }
    void insert(const std::string &gid, int row) { shardOf(gid)[gid] = row; }
    void clear()
    {
        for (auto &shard : m_shards)
            shard.clear();
    }

private:
    static constexpr size_t kShards = 64;
    using Shard = std::unordered_map<std::string, int>;
    Shard &shardOf(const std::string &gid)
    {
        return m_shards[std::hash<std::string>{}(gid) % kShards];
    }
    const Shard &shardOf(const std::string &gid) const
    {
        return m_shards[std::hash<std::string>{}(gid) % kShards];
    }
    std::array<Shard, kShards> m_shards;
};

}  // namespace txdesk::models
