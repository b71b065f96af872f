#pragma once

#include "engine/branchinvoker.h"
#include "flow/simendpoint.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace coord::invokers {

// One effect a simulated participant applied (or refused), in the order they happened.
struct SimLedgerEntry {
    std::string gid;
    std::string branchId;
    std::string op;
    std::string verdict;  // executed, duplicate ignored, null compensation, refused...
};

// Simulated participants (sim://name?...) inside the coordinator: latency, failure, ongoing,
// transient and hang probabilities, repeatable with a seed, with a barrier and a ledger so
// compensation and idempotence can be seen.
class SimInvoker : public engine::BranchInvoker
{
public:
    SimInvoker();
    ~SimInvoker() override;

    void invoke(engine::BranchCall call, Done done) override;

    std::vector<SimLedgerEntry> ledger(const std::string &name) const;
    // Net effect per (gid, branch): +1 for an executed action/try/confirm... see ledger().
    int executedCount(const std::string &name, const std::string &gid, const std::string &op) const;

private:
    struct Timer {
        std::chrono::steady_clock::time_point due;
        uint64_t order;
        std::function<void()> fire;
        bool operator>(const Timer &o) const
        {
            return due != o.due ? due > o.due : order > o.order;
        }
    };
    void after(std::chrono::milliseconds delay, std::function<void()> fire);
    void run();

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> m_timers;
    uint64_t m_order = 0;
    bool m_stopping = false;
    std::map<std::string, int> m_attempts;         // (name|gid|branch|op) -> calls so far
    std::map<std::string, std::string> m_barrier;  // (name|gid|branch|op) -> reason
    std::map<std::string, std::vector<SimLedgerEntry>> m_ledgers;
    std::thread m_thread;
};

}  // namespace coord::invokers
