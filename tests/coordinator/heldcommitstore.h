#pragma once

#include "forwardingstore.h"

#include "storage/sqlite/sqlitestore.h"

#include <absl/status/status.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace testsupport {

// Between the engine and the SQLite store: on cue, one commit waits until released, then is
// stored, or fails the way a lost database connection does. The cue names a branch: the commit
// that adds it, or the one after that (the write the engine queues on its own once the
// registration is stored). Every other commit goes straight through.
class HeldCommitStore : public ForwardingStore
{
public:
    enum class Which { Adding, AfterAdding };
    enum class Then { Fail, Store };

    explicit HeldCommitStore(std::unique_ptr<coord::storage::SqliteStore> &inner)
        : ForwardingStore([&inner]() -> coord::storage::Store & { return *inner; })
    {}

    void hold(Which which, std::string branchId, Then then)
    {
        std::lock_guard lock(m_mutex);
        m_which = which;
        m_branch = std::move(branchId);
        m_then = then;
    }
    bool waitUntilHeld()
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, std::chrono::seconds(10), [this] { return m_held; });
    }
    void release()
    {
        std::lock_guard lock(m_mutex);
        m_released = true;
        m_cv.notify_all();
    }

    std::vector<coord::storage::WriteResult> commit(
        std::span<coord::storage::TxWrite> writes) override
    {
        {
            std::unique_lock lock(m_mutex);
            bool holdThis = m_holdNext;
            m_holdNext = false;
            if (!holdThis && !m_branch.empty() && adds(writes, m_branch)) {
                m_branch.clear();
                holdThis = m_which == Which::Adding;
                m_holdNext = !holdThis;
            }
            if (holdThis) {
                m_held = true;
                m_cv.notify_all();
                m_cv.wait(lock, [this] { return m_released; });
                if (m_then == Then::Fail) {
                    std::vector<coord::storage::WriteResult> lost(writes.size());
                    for (auto &r : lost)
                        r.status =
                            absl::UnavailableError("server closed the connection (injected)");
                    return lost;
                }
            }
        }
        return ForwardingStore::commit(writes);
    }

private:
    static bool adds(std::span<coord::storage::TxWrite> writes, const std::string &branchId)
    {
        for (const auto &w : writes)
            for (const auto &b : w.addBranches)
                if (b.id == branchId)
                    return true;
        return false;
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    Which m_which = Which::Adding;
    Then m_then = Then::Fail;
    std::string m_branch;
    bool m_holdNext = false, m_held = false, m_released = false;
};

}  // namespace testsupport
