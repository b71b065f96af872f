#include "faultinginvoker.h"

#include <absl/strings/str_cat.h>

namespace coord::invokers {

using domain::AttemptOutcome;
using domain::FaultKind;
using engine::CallResult;

FaultingInvoker::FaultingInvoker(engine::BranchInvoker &inner)
    : m_inner(inner), m_timer([this] { runTimer(); })
{}

FaultingInvoker::~FaultingInvoker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_timer.join();
}

void FaultingInvoker::setPlan(const std::string &gid, std::vector<domain::FaultRule> rules)
{
    std::lock_guard lock(m_mutex);
    m_plans[gid] = std::move(rules);
}

void FaultingInvoker::clearPlan(const std::string &gid)
{
    std::lock_guard lock(m_mutex);
    m_plans.erase(gid);
}

bool FaultingInvoker::hasPlan(const std::string &gid) const
{
    std::lock_guard lock(m_mutex);
    return m_plans.count(gid) > 0;
}

std::optional<FaultKind> FaultingInvoker::take(const engine::BranchCall &call)
{
    std::lock_guard lock(m_mutex);
    const auto plan = m_plans.find(call.gid);
    if (plan == m_plans.end())
        return std::nullopt;
    for (domain::FaultRule &rule : plan->second)
        if (rule.times > 0 && rule.branchId == call.branchId
            && domain::toString(rule.op) == call.op) {
            --rule.times;
            return rule.kind;
        }
    return std::nullopt;
}

void FaultingInvoker::invoke(engine::BranchCall call, Done done)
{
    const auto fault = take(call);
    if (!fault)
        return m_inner.invoke(std::move(call), std::move(done));
    const std::string injected = " (injected: " + domain::toString(*fault) + ")";
    switch (*fault) {
    case FaultKind::BusinessFailure:
        return deliverAt(Clock::now(), std::move(done),
                         {AttemptOutcome::Failure, 409, "business failure" + injected,
                          R"({"dtm_result":"FAILURE"})"});
    case FaultKind::TransientError:
        return deliverAt(Clock::now(), std::move(done),
                         {AttemptOutcome::Transient, 503, "transient error" + injected, {}});
    case FaultKind::AnswerLost:
        return m_inner.invoke(
            std::move(call), [this, done = std::move(done), injected](CallResult) mutable {
                deliverAt(Clock::now(), std::move(done),
                          {AttemptOutcome::Transient, 0, "no answer: it was lost" + injected, {}});
            });
    case FaultKind::Slow: {
        const auto deadline = Clock::now() + std::chrono::milliseconds(call.timeoutMs);
        const int64_t timeoutMs = call.timeoutMs;
        return m_inner.invoke(
            std::move(call),
            [this, done = std::move(done), deadline, timeoutMs, injected](CallResult) mutable {
                deliverAt(deadline, std::move(done),
                          {AttemptOutcome::Transient,
                           0,
                           absl::StrCat("no answer within ", timeoutMs, " ms", injected),
                           {}});
            });
    }
    }
}

// Answers on the timer thread, never inside invoke() (the BranchInvoker contract).
void FaultingInvoker::deliverAt(Clock::time_point at, Done done, CallResult result)
{
    {
        std::lock_guard lock(m_mutex);
        m_later.emplace(at, std::make_pair(std::move(done), std::move(result)));
    }
    m_wake.notify_all();
}

void FaultingInvoker::runTimer()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (m_later.empty()) {
            if (m_stopping)
                return;
            m_wake.wait(lock);
            continue;
        }
        const auto first = m_later.begin();
        if (!m_stopping && first->first > Clock::now()) {
            m_wake.wait_until(lock, first->first);
            continue;
        }
        auto [done, result] = std::move(first->second);
        m_later.erase(first);
        lock.unlock();
        done(std::move(result));  // on stop: every answer still owed, now
        lock.lock();
    }
}

}  // namespace coord::invokers
