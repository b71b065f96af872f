#pragma once

#include "txruntime.h"

#include <utility>
#include <vector>

// Small helpers shared by the engine's translation units.
namespace coord::engine {

inline domain::Event makeEvent(domain::EventKind kind, int64_t now)
{
    domain::Event e;
    e.kind = kind;
    e.atMs = now;
    return e;
}

inline void answerAll(
    std::vector<TxWaiter> &waiters, const absl::StatusOr<domain::Transaction> &value,
    std::vector<std::pair<TxWaiter, absl::StatusOr<domain::Transaction>>> &answers)
{
    for (TxWaiter &w : waiters)
        answers.emplace_back(std::move(w), value);
    waiters.clear();
}

}  // namespace coord::engine
