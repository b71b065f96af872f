// The fault injector in front of the real invokers: only the planned gid's planned operation is
// touched, for as many calls as planned; "answer lost" and "slow" make the call and drop the
// answer; no answer comes on the caller's thread (inside invoke()).
#include "invokers/faultinginvoker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

namespace {

using coord::domain::AttemptOutcome;
using coord::domain::FaultKind;
using coord::domain::FaultRule;
using coord::domain::OpKind;
using coord::engine::BranchCall;
using coord::engine::CallResult;

// Answers every call with 200 SUCCESS at once, each on a thread of its own, and counts them.
// join() waits until every answer has been handed back.
class CountingInvoker : public coord::engine::BranchInvoker
{
public:
    ~CountingInvoker() override { join(); }
    void invoke(BranchCall call, Done done) override
    {
        std::lock_guard lock(m_mutex);
        m_calls.push_back(call.gid + "/" + call.branchId + "/" + call.op);
        m_threads.emplace_back([this, done = std::move(done)] {
            done({AttemptOutcome::Success, 200, {}, R"({"dtm_result":"SUCCESS"})"});
            ++answered;
        });
    }
    void join()
    {
        std::vector<std::thread> threads;
        {
            std::lock_guard lock(m_mutex);
            threads.swap(m_threads);
        }
        for (auto &t : threads)
            t.join();
    }
    std::vector<std::string> calls()
    {
        std::lock_guard lock(m_mutex);
        return m_calls;
    }

    std::atomic<int> answered{0};  // answers handed back (done returned)

private:
    std::mutex m_mutex;
    std::vector<std::string> m_calls;
    std::vector<std::thread> m_threads;
};

BranchCall callOf(const std::string &gid, const std::string &branch, const std::string &op,
                  int64_t timeoutMs = 3000)
{
    BranchCall c;
    c.gid = gid;
    c.branchId = branch;
    c.op = op;
    c.transType = "saga";
    c.endpoint = "http://127.0.0.1:1/api/x";
    c.timeoutMs = timeoutMs;
    return c;
}

CallResult invokeAndWait(coord::invokers::FaultingInvoker &invoker, BranchCall call)
{
    std::promise<CallResult> answer;
    std::atomic<bool> answeredInside{false};
    const auto caller = std::this_thread::get_id();
    invoker.invoke(std::move(call), [&](CallResult r) {
        answeredInside = std::this_thread::get_id() == caller;
        answer.set_value(std::move(r));
    });
    auto f = answer.get_future();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    CallResult r = f.get();
    EXPECT_FALSE(answeredInside) << "answered on the caller's thread, inside invoke()";
    return r;
}

TEST(FaultingInvoker, aCallOfAGidWithoutAPlanPassesThroughUnchanged)
{
    CountingInvoker inner;
    coord::invokers::FaultingInvoker invoker(inner);
    invoker.setPlan("faulty", {{"in", OpKind::Action, FaultKind::BusinessFailure, 1}});
    CallResult r = invokeAndWait(invoker, callOf("clean", "in", "action"));
    EXPECT_EQ(r.outcome, AttemptOutcome::Success);
    EXPECT_EQ(inner.calls(), std::vector<std::string>{"clean/in/action"});
    inner.join();
}

TEST(FaultingInvoker, aBusinessFailureOrTransientErrorIsAnsweredWithoutTheCallForTheTimesPlanned)
{
    CountingInvoker inner;
    coord::invokers::FaultingInvoker invoker(inner);
    invoker.setPlan("g",
                    {{"in", OpKind::Action, FaultKind::BusinessFailure, 1},
                     {"out", OpKind::Compensate, FaultKind::TransientError, 2}});
    CallResult failed = invokeAndWait(invoker, callOf("g", "in", "action"));
    EXPECT_EQ(failed.outcome, AttemptOutcome::Failure);
    EXPECT_EQ(failed.statusCode, 409);
    EXPECT_NE(failed.error.find("injected: business-failure"), std::string::npos) << failed.error;
    EXPECT_EQ(invokeAndWait(invoker, callOf("g", "out", "action")).outcome,
              AttemptOutcome::Success);  // another operation of the same gid
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(invokeAndWait(invoker, callOf("g", "out", "compensate")).outcome,
                  AttemptOutcome::Transient);
    EXPECT_EQ(invokeAndWait(invoker, callOf("g", "out", "compensate")).outcome,
              AttemptOutcome::Success);  // the third call: the plan is used up
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"g/out/action", "g/out/compensate"}));
    inner.join();
}

TEST(FaultingInvoker, aLostAnswerMakesTheCallAndReportsNoAnswer)
{
    CountingInvoker inner;
    coord::invokers::FaultingInvoker invoker(inner);
    invoker.setPlan("g", {{"out", OpKind::Action, FaultKind::AnswerLost, 1}});
    CallResult lost = invokeAndWait(invoker, callOf("g", "out", "action"));
    EXPECT_EQ(lost.outcome, AttemptOutcome::Transient);
    EXPECT_EQ(lost.statusCode, 0);
    EXPECT_NE(lost.error.find("lost"), std::string::npos) << lost.error;
    EXPECT_EQ(invokeAndWait(invoker, callOf("g", "out", "action")).outcome,
              AttemptOutcome::Success);
    EXPECT_EQ(inner.calls(), (std::vector<std::string>{"g/out/action", "g/out/action"}));
    inner.join();
}

TEST(FaultingInvoker, aSlowCallIsMadeAndTimesOutNoSoonerThanItsRequestTimeout)
{
    CountingInvoker inner;
    coord::invokers::FaultingInvoker invoker(inner);
    invoker.setPlan("g", {{"out", OpKind::Action, FaultKind::Slow, 1}});
    const auto start = std::chrono::steady_clock::now();
    CallResult slow = invokeAndWait(invoker, callOf("g", "out", "action", 150));
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
    EXPECT_EQ(slow.outcome, AttemptOutcome::Transient);
    EXPECT_NE(slow.error.find("no answer within 150 ms"), std::string::npos) << slow.error;
    EXPECT_EQ(inner.calls().size(), 1u);
    inner.join();
}

TEST(FaultingInvoker, aClearedPlanTouchesNothingAndAnswersOwedAreGivenOnDestruction)
{
    CountingInvoker inner;
    std::promise<CallResult> owed;
    {
        coord::invokers::FaultingInvoker invoker(inner);
        invoker.setPlan("g",
                        {{"out", OpKind::Action, FaultKind::Slow, 1},
                         {"in", OpKind::Action, FaultKind::TransientError, 5}});
        invoker.invoke(callOf("g", "out", "action", 60'000),
                       [&owed](CallResult r) { owed.set_value(std::move(r)); });
        EXPECT_TRUE(invoker.hasPlan("g"));
        invoker.clearPlan("g");
        EXPECT_FALSE(invoker.hasPlan("g"));
        EXPECT_EQ(invokeAndWait(invoker, callOf("g", "in", "action")).outcome,
                  AttemptOutcome::Success);
        inner.join();  // the slow call's real answer is in: only its timeout is owed
        EXPECT_EQ(inner.answered, 2);
    }
    auto f = owed.get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_EQ(f.get().outcome, AttemptOutcome::Transient);
}

}  // namespace
