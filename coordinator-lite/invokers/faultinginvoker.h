#pragma once

#include "domain/faultplan.h"
#include "engine/branchinvoker.h"
#include "engine/faultplans.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace coord::invokers {

// Injects a transaction's fault plan into its calls, in front of the real invokers (HTTP, gRPC,
// sim:// alike): only calls of a gid with a plan are touched, every other call passes through
// unchanged. A plan lives in memory from the submit that carried it until the transaction ends.
class FaultingInvoker final : public engine::BranchInvoker, public engine::FaultPlans
{
public:
    explicit FaultingInvoker(engine::BranchInvoker &inner);
    ~FaultingInvoker() override;

    void setPlan(const std::string &gid, std::vector<domain::FaultRule> rules) override;
    void clearPlan(const std::string &gid) override;
    bool hasPlan(const std::string &gid) const;

    void invoke(engine::BranchCall call, Done done) override;

private:
    using Clock = std::chrono::steady_clock;
    // The fault for this call, if one still applies (and counts it as used).
    std::optional<domain::FaultKind> take(const engine::BranchCall &call);
    void deliverAt(Clock::time_point at, Done done, engine::CallResult result);
    void runTimer();

    engine::BranchInvoker &m_inner;
    mutable std::mutex m_mutex;
    std::map<std::string, std::vector<domain::FaultRule>> m_plans;  // remaining times per rule
    std::condition_variable m_wake;
    std::multimap<Clock::time_point, std::pair<Done, engine::CallResult>> m_later;
    bool m_stopping = false;
    std::thread m_timer;
};

}  // namespace coord::invokers
