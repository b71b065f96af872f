#pragma once

#include "txruntime.h"

#include <absl/strings/str_cat.h>

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

// The answer for a transaction whose in-memory copy lost a write: it is read again from the
// store, and the caller only has to retry.
inline absl::Status beingReloaded(const std::string &gid)
{
    return absl::UnavailableError(absl::StrCat(
        "gid ", gid, ": its last change could not be stored; it is being reloaded, retry"));
}

}  // namespace coord::engine
