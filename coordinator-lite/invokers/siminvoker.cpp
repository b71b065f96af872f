#include "siminvoker.h"

#include "barrier/barrierrules.h"
#include "engine/threadname.h"

#include <functional>

namespace coord::invokers {

using domain::AttemptOutcome;
using engine::CallResult;

namespace {

// A repeatable number in [0, 1) for one decision of one attempt.
double draw(uint64_t seed, const std::string &key, int attempt, int salt)
{
    uint64_t h = std::hash<std::string>{}(key) ^ (seed * 0x9E3779B97F4A7C15ULL);
    h ^= static_cast<uint64_t>(attempt) * 0xBF58476D1CE4E5B9ULL + static_cast<uint64_t>(salt);
    h ^= h >> 31;
    h *= 0x94D049BB133111EBULL;
    h ^= h >> 29;
    return static_cast<double>(h >> 11) / static_cast<double>(1ULL << 53);
}

bool isFirstPhase(const std::string &op) { return op == "action" || op == "try"; }

// What the simulated participant answers this attempt: scripted first answers, then chance.
AttemptOutcome chooseOutcome(const flow::SimSpec &spec, const std::string &key, int attempt,
                             bool first, bool *hang)
{
    if (first && attempt < spec.failFirst)
        return AttemptOutcome::Failure;
    if (attempt < spec.transientFirst)
        return AttemptOutcome::Transient;
    if (attempt < spec.ongoingFirst)
        return AttemptOutcome::Ongoing;
    if (draw(spec.seed, key, attempt, 1) < spec.hang) {
        *hang = true;
        return AttemptOutcome::Transient;
    }
    if (first && draw(spec.seed, key, attempt, 2) < spec.fail)
        return AttemptOutcome::Failure;
    if (draw(spec.seed, key, attempt, 3) < spec.ongoing)
        return AttemptOutcome::Ongoing;
    if (draw(spec.seed, key, attempt, 4) < spec.transient)
        return AttemptOutcome::Transient;
    return AttemptOutcome::Success;
}

}  // namespace

SimInvoker::SimInvoker()
    : m_thread([this] {
          engine::nameThisThread("sim-invoker");
          run();
      })
{}

SimInvoker::~SimInvoker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void SimInvoker::after(std::chrono::milliseconds delay, std::function<void()> fire)
{
    {
        std::lock_guard lock(m_mutex);
        m_timers.push({std::chrono::steady_clock::now() + delay, m_order++, std::move(fire)});
    }
    m_wake.notify_all();
}

void SimInvoker::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (m_timers.empty()) {
            if (m_stopping)
                return;
            m_wake.wait(lock);
            continue;
        }
        auto due = m_timers.top().due;
        if (!m_stopping && std::chrono::steady_clock::now() < due) {
            m_wake.wait_until(lock, due);
            continue;
        }
        // When stopping, fire everything at once: callers are owed an answer.
        Timer t = m_timers.top();
        m_timers.pop();
        lock.unlock();
        t.fire();
        lock.lock();
    }
}

void SimInvoker::invoke(engine::BranchCall call, Done done)
{
    std::string error;
    auto spec = flow::parseSimEndpoint(call.endpoint, &error);
    if (!spec) {
        CallResult r;
        r.outcome = AttemptOutcome::Transient;
        r.error = "bad sim endpoint: " + error;
        after(std::chrono::milliseconds(0), [done, r] { done(r); });
        return;
    }
    const std::string key = spec->name + "|" + call.gid + "|" + call.branchId + "|" + call.op;
    int attempt;
    {
        std::lock_guard lock(m_mutex);
        attempt = m_attempts[key]++;
    }
    bool hang = false;
    const AttemptOutcome outcome = chooseOutcome(*spec, key, attempt, isFirstPhase(call.op), &hang);
    if (hang || spec->latencyMs >= call.timeoutMs) {
        CallResult r;
        r.outcome = AttemptOutcome::Transient;
        r.error = "timeout after " + std::to_string(call.timeoutMs) + " ms (sim://" + spec->name
            + (hang ? " hangs)" : " is slower than the request timeout)");
        after(std::chrono::milliseconds(call.timeoutMs), [done, r] { done(r); });
        return;
    }
    auto answer = [this, call, name = spec->name, outcome, done] {
        CallResult r;
        r.outcome = outcome;
        switch (outcome) {
        case AttemptOutcome::Failure:
            r.statusCode = 409;
            r.error = "FAILURE from sim://" + name;
            r.excerpt = R"({"dtm_result":"FAILURE"})";
            break;
        case AttemptOutcome::Ongoing:
            r.statusCode = 425;
            r.error = "ONGOING";
            r.excerpt = R"({"dtm_result":"ONGOING"})";
            break;
        case AttemptOutcome::Transient:
            r.statusCode = 503;
            r.error = "HTTP 503 (sim://" + name + " unavailable)";
            break;
        case AttemptOutcome::Success: {
            r.statusCode = 200;
            std::lock_guard lock(m_mutex);
            barrier::BarrierKey key{call.transType, call.gid, call.branchId, call.op};
            auto verdict = barrier::decide(
                key,
                [&](const std::string &op,
                    const std::string &reason) -> std::optional<std::string> {
                    auto [it, inserted] = m_barrier.emplace(
                        name + "|" + call.gid + "|" + call.branchId + "|" + op, reason);
                    if (inserted)
                        return std::nullopt;
                    return it->second;
                });
            m_ledgers[name].push_back(
                {call.gid, call.branchId, call.op, barrier::toString(verdict)});
            r.excerpt = std::string(R"({"dtm_result":"SUCCESS","sim":")") + name + R"(","effect":")"
                + barrier::toString(verdict) + "\"}";
            break;
        }
        }
        done(r);
    };
    after(std::chrono::milliseconds(spec->latencyMs), std::move(answer));
}

std::vector<SimLedgerEntry> SimInvoker::ledger(const std::string &name) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_ledgers.find(name);
    return it == m_ledgers.end() ? std::vector<SimLedgerEntry>{} : it->second;
}

int SimInvoker::executedCount(const std::string &name, const std::string &gid,
                              const std::string &op) const
{
    int n = 0;
    for (const SimLedgerEntry &e : ledger(name))
        n += e.gid == gid && e.op == op
            && e.verdict == barrier::toString(barrier::Verdict::Execute);
    return n;
}

}  // namespace coord::invokers
