// The fault suite: real sagas and TCCs against a participant that misbehaves on the wire
// (status codes, slowness, refused and reset connections, bytes that are not HTTP), driven by a
// manual clock. Each fault ends in the right state, every attempt says what went wrong, and
// retries stay within what the exponential backoff allows: no retry storm.
#include "engineharness.h"
#include "faultyhttp.h"

#include "domain/operator.h"

using namespace coord::domain;
using testsupport::Fault;

namespace {

class FaultTest : public testsupport::EngineHarness
{
protected:
    void SetUp() override
    {
        EngineHarness::SetUp();
        ASSERT_TRUE(m_faulty.start());
    }

    void TearDown() override
    {
        EngineHarness::TearDown();
        m_faulty.stop();
    }

    // A saga: "out" debits A at the bank, then "in" calls the faulty participant at
    // <name>/action and <name>/compensate.
    Json saga(const std::string &name, Json options = Json::object())
    {
        Json flow = transferSaga(30, std::move(options));
        flow["branches"][1]["action"] = m_faulty.url(name + "/action");
        flow["branches"][1]["compensate"] = m_faulty.url(name + "/compensate");
        return flow;
    }

    // A TCC: "out" freezes A at the bank, then "in" tries, confirms and cancels at the faulty
    // participant under <name>/.
    Json tcc(const std::string &name, Json options = Json::object())
    {
        options["wait_result"] = true;
        options["retry_interval_ms"] = options.value("retry_interval_ms", 1000);
        Json out = {{"id", "out"},
                    {"try", m_http->url("TransOutTry")},
                    {"confirm", m_http->url("TransOutConfirm")},
                    {"cancel", m_http->url("TransOutCancel")},
                    {"payload", {{"account", "A"}, {"amount", 30}}}};
        Json in = {{"id", "in"},
                   {"after", {"out"}},
                   {"try", m_faulty.url(name + "/try")},
                   {"confirm", m_faulty.url(name + "/confirm")},
                   {"cancel", m_faulty.url(name + "/cancel")},
                   {"payload", {{"account", "B"}, {"amount", 30}}}};
        return {{"name", "tcc-" + name},
                {"type", "TCC"},
                {"options", options},
                {"branches", {out, in}}};
    }

    void run(const Json &flow, const std::string &gid)
    {
        auto tx = submit(flow, gid);
        ASSERT_TRUE(tx.ok()) << tx.status();
        ASSERT_TRUE(settle());
    }

    // Advances to the transaction's next retry and returns how long that was.
    int64_t advanceToNextRetry(const std::string &gid)
    {
        const int64_t wait = get(gid).summary.nextRetryMs - m_clock.nowMs();
        advance(wait);
        return wait;
    }

    testsupport::FaultyHttp m_faulty;
};

// The most attempts an operation failing all the time may make within `windowMs` of its first
// one: the first, then one after each backoff (interval, doubled each time up to the cap).
int maxAttemptsWithin(int64_t windowMs, int64_t intervalMs, int64_t maxBackoffMs)
{
    int attempts = 1;
    int64_t at = 0, wait = intervalMs;
    while (at + wait <= windowMs) {
        at += wait;
        ++attempts;
        wait = std::min(wait * 2, maxBackoffMs);
    }
    return attempts;
}

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

TEST_F(FaultTest, conflictOnASagaActionFailsItAndCompensatesEveryBranchThatMayHaveRun)
{
    m_faulty.script("c/action", {Fault::answer(409, R"({"message":"insufficient funds"})")});
    run(saga("c"), "conflict");
    auto tx = get("conflict");
    EXPECT_EQ(tx.summary.status, TxStatus::Failed);
    const auto &action = op(tx, "in", OpKind::Action);
    ASSERT_EQ(action.attempts.size(), 1u) << "a business failure is not retried";
    EXPECT_EQ(action.attempts[0].outcome, AttemptOutcome::Failure);
    EXPECT_EQ(action.attempts[0].statusCode, 409);
    EXPECT_TRUE(contains(action.attempts[0].error, "FAILURE (HTTP 409)"))
        << action.attempts[0].error;
    EXPECT_TRUE(contains(action.attempts[0].error, "insufficient funds"));
    EXPECT_EQ(m_faulty.callCount("c/compensate"), 1) << "the failed action may have run";
    EXPECT_EQ(op(tx, "out", OpKind::Compensate).status, OpStatus::Succeeded);
    EXPECT_EQ(m_ledger->balance("A"), 100);
}

TEST_F(FaultTest, failureInTheBodyOfA200IsABusinessFailureToo)
{
    m_faulty.script("f/action", {Fault::answer(200, R"({"dtm_result":"FAILURE"})")});
    run(saga("f"), "failure-body");
    auto tx = get("failure-body");
    EXPECT_EQ(tx.summary.status, TxStatus::Failed);
    EXPECT_EQ(op(tx, "in", OpKind::Action).attempts.at(0).outcome, AttemptOutcome::Failure);
    EXPECT_EQ(m_ledger->balance("A"), 100);
}

TEST_F(FaultTest, conflictOnATryCancelsEveryBranchThatTried)
{
    m_faulty.script("t/try", {Fault::answer(409)});
    run(tcc("t"), "try-conflict");
    auto tx = get("try-conflict");
    EXPECT_EQ(tx.summary.status, TxStatus::Failed);
    EXPECT_EQ(m_faulty.callCount("t/try"), 1);
    EXPECT_EQ(m_faulty.callCount("t/confirm"), 0);
    EXPECT_EQ(m_faulty.callCount("t/cancel"), 1);
    EXPECT_EQ(op(tx, "out", OpKind::Cancel).status, OpStatus::Succeeded);
    EXPECT_EQ(m_ledger->frozen("A"), 0);
    EXPECT_EQ(m_ledger->balance("A"), 100);
}

TEST_F(FaultTest, serverErrorsOnAConfirmAreRetriedWithBackoffUntilItSucceeds)
{
    m_faulty.script("e/confirm", {Fault::answer(500), Fault::answer(503)});
    run(tcc("e"), "confirm-500");
    EXPECT_EQ(get("confirm-500").summary.status, TxStatus::Submitted);
    EXPECT_EQ(advanceToNextRetry("confirm-500"), 1000);
    EXPECT_EQ(advanceToNextRetry("confirm-500"), 2000);
    auto tx = get("confirm-500");
    EXPECT_EQ(tx.summary.status, TxStatus::Succeeded);
    const auto &confirm = op(tx, "in", OpKind::Confirm);
    ASSERT_EQ(confirm.attempts.size(), 3u);
    EXPECT_EQ(confirm.attempts[0].outcome, AttemptOutcome::Transient);
    EXPECT_EQ(confirm.attempts[0].error, "HTTP 500");
    EXPECT_EQ(confirm.attempts[1].error, "HTTP 503");
    EXPECT_EQ(confirm.attempts[2].outcome, AttemptOutcome::Success);
    EXPECT_EQ(m_ledger->balance("A"), 70);
}

TEST_F(FaultTest, conflictOnAConfirmIsRetriedBecauseAConfirmMustSucceed)
{
    m_faulty.script("m/confirm", {Fault::answer(409), Fault::answer(409)});
    run(tcc("m"), "confirm-409");
    auto tx = get("confirm-409");
    EXPECT_EQ(tx.summary.status, TxStatus::Submitted) << "a decided commit is never undone";
    EXPECT_EQ(tx.summary.stuckReason, stuck::kMustSucceedFailed);
    advanceToNextRetry("confirm-409");
    advanceToNextRetry("confirm-409");
    tx = get("confirm-409");
    EXPECT_EQ(tx.summary.status, TxStatus::Succeeded);
    EXPECT_EQ(m_faulty.callCount("m/cancel"), 0);
    EXPECT_EQ(op(tx, "in", OpKind::Confirm).attemptCount, 3);
}

TEST_F(FaultTest, tooEarlyIsPolledAtTheFixedIntervalWithoutBackoff)
{
    m_faulty.script("o/try", {Fault::answer(425), Fault::answer(425), Fault::answer(425)});
    run(tcc("o", {{"retry_interval_ms", 700}}), "too-early");
    std::vector<int64_t> waits;
    for (int i = 0; i < 3; ++i)
        waits.push_back(advanceToNextRetry("too-early"));
    EXPECT_EQ(waits, (std::vector<int64_t>{700, 700, 700}));
    auto tx = get("too-early");
    EXPECT_EQ(tx.summary.status, TxStatus::Succeeded);
    EXPECT_EQ(op(tx, "in", OpKind::Try).attempts.at(0).outcome, AttemptOutcome::Ongoing);
}

TEST_F(FaultTest, aSlowAnswerWithinTheRequestTimeoutSucceedsAtTheFirstAttempt)
{
    m_faulty.script("s/action", {Fault::slow(300)});
    run(saga("s", {{"request_timeout_ms", 10000}}), "slow");
    auto tx = get("slow");
    EXPECT_EQ(tx.summary.status, TxStatus::Succeeded);
    EXPECT_EQ(op(tx, "in", OpKind::Action).attemptCount, 1);
}

TEST_F(FaultTest, anAnswerPastTheRequestTimeoutIsRetriedAndNeverTakenAsSuccess)
{
    m_faulty.script("p/try", {Fault::slow(20000)});  // cut short when the test ends
    run(tcc("p", {{"request_timeout_ms", 300}}), "past-timeout");
    auto tx = get("past-timeout");
    EXPECT_EQ(tx.summary.status, TxStatus::Prepared);
    const auto &first = op(tx, "in", OpKind::Try).attempts.at(0);
    EXPECT_EQ(first.outcome, AttemptOutcome::Transient);
    EXPECT_EQ(first.statusCode, 0);
    EXPECT_TRUE(contains(first.error, "imed out")) << first.error;
    advanceToNextRetry("past-timeout");
    tx = get("past-timeout");
    EXPECT_EQ(tx.summary.status, TxStatus::Succeeded);
    EXPECT_EQ(m_faulty.callCount("p/try"), 2);
    EXPECT_EQ(m_faulty.callCount("p/cancel"), 0);
}

TEST_F(FaultTest, aConnectionResetMidResponseIsTransientAndRetried)
{
    m_faulty.script("r/action", {Fault::resetMidResponse()});
    run(saga("r"), "reset");
    auto tx = get("reset");
    EXPECT_EQ(tx.summary.status, TxStatus::Submitted);
    const auto &first = op(tx, "in", OpKind::Action).attempts.at(0);
    EXPECT_EQ(first.outcome, AttemptOutcome::Transient);
    EXPECT_TRUE(contains(first.error, "reset by peer")) << first.error;
    EXPECT_EQ(first.statusCode, 0) << "the status line came, the answer did not";
    advanceToNextRetry("reset");
    EXPECT_EQ(get("reset").summary.status, TxStatus::Succeeded);
}

TEST_F(FaultTest, bytesThatAreNotHttpAreTransientEvenOnACompensation)
{
    m_faulty.script("g/action", {Fault::notHttp(), Fault::answer(409)});
    m_faulty.script("g/compensate", {Fault::notHttp(), Fault::notHttp()});
    run(saga("g"), "garbage");
    auto tx = get("garbage");
    const auto &first = op(tx, "in", OpKind::Action).attempts.at(0);
    EXPECT_EQ(first.outcome, AttemptOutcome::Transient) << "garbage is never a success";
    EXPECT_EQ(first.statusCode, 0);
    EXPECT_TRUE(contains(first.error, "not an HTTP answer")) << first.error;
    advanceToNextRetry("garbage");  // the action now fails for real: compensate
    EXPECT_EQ(get("garbage").summary.status, TxStatus::Aborting);
    advanceToNextRetry("garbage");
    advanceToNextRetry("garbage");
    tx = get("garbage");
    EXPECT_EQ(tx.summary.status, TxStatus::Failed);
    const auto &compensate = op(tx, "in", OpKind::Compensate);
    ASSERT_EQ(compensate.attempts.size(), 3u);
    EXPECT_EQ(compensate.attempts[0].outcome, AttemptOutcome::Transient);
    EXPECT_EQ(compensate.attempts[2].outcome, AttemptOutcome::Success);
    EXPECT_EQ(m_ledger->balance("A"), 100);
}

// DTM judges a 200 by its status and the FAILURE/ONGOING markers only, and so do we: a body
// that is not JSON is still a success. Its excerpt is kept printable.
TEST_F(FaultTest, aTwoHundredWithABodyThatIsNotJsonIsASuccessAsInDtm)
{
    m_faulty.script("j/action", {Fault::answer(200, std::string("\x01\x02<html>ok", 10))});
    run(saga("j"), "not-json");
    auto tx = get("not-json");
    EXPECT_EQ(tx.summary.status, TxStatus::Succeeded);
    EXPECT_EQ(op(tx, "in", OpKind::Action).attempts.at(0).responseExcerpt, "\?\?<html>ok");
}

TEST_F(FaultTest, persistentFaultsAreRetriedWithBoundedBackoffOverAMinute)
{
    struct Case {
        std::string name;
        Fault fault;
        std::string errorText;
    };
    const std::vector<Case> cases = {
        {"500", Fault::answer(500), "HTTP 500"},
        {"reset", Fault::resetMidResponse(), "reset by peer"},
        {"garbage", Fault::notHttp(), "not an HTTP answer"},
        {"timeout", Fault::slow(20000), "imed out"},
        {"refused", {}, "onnect"},
    };
    m_ledger->setBalance("A", 1000);
    const Json options = {{"retry_interval_ms", 1000}, {"request_timeout_ms", 10000}};
    for (const Case &c : cases) {
        m_faulty.setDefault(c.name + "/action", c.fault);
        Json flow = saga(c.name, options);
        if (c.name == "timeout")
            flow["branches"][1]["request_timeout_ms"] = 300;
        if (c.name == "refused")
            flow["branches"][1]["action"] = m_faulty.refusedUrl("refused/action");
        ASSERT_TRUE(submit(flow, "saga-" + c.name).ok());
    }
    m_faulty.setDefault("tcc/confirm", Fault::answer(500));  // a must-succeed operation too
    ASSERT_TRUE(submit(tcc("tcc", options), "tcc-500").ok());
    ASSERT_TRUE(settle());

    constexpr int64_t kMinute = 60000, kStep = 250;
    for (int64_t t = 0; t < kMinute; t += kStep)
        advance(kStep);

    const int bound = maxAttemptsWithin(kMinute, 1000, m_engine->config().maxBackoffMs);
    ASSERT_EQ(bound, 6) << "0, 1, 3, 7, 15 and 31 s";
    for (const Case &c : cases) {
        SCOPED_TRACE(c.name);
        auto tx = get("saga-" + c.name);
        EXPECT_EQ(tx.summary.status, TxStatus::Submitted) << "no retry limit: still trying";
        const auto &action = op(tx, "in", OpKind::Action);
        EXPECT_LE(action.attemptCount, bound);
        EXPECT_GE(action.attemptCount, bound - 1) << "retried as the backoff schedules it";
        for (const Attempt &a : action.attempts) {
            EXPECT_EQ(a.outcome, AttemptOutcome::Transient);
            EXPECT_TRUE(contains(a.error, c.errorText)) << a.error;
            EXPECT_FALSE(a.error.empty());
        }
    }
    auto tcc500 = get("tcc-500");
    EXPECT_EQ(tcc500.summary.status, TxStatus::Submitted);
    EXPECT_LE(op(tcc500, "in", OpKind::Confirm).attemptCount, bound);
    EXPECT_GE(op(tcc500, "in", OpKind::Confirm).attemptCount, bound - 1);

    // The participants recover: every decision is carried out, nothing was lost meanwhile.
    for (const Case &c : cases)
        m_faulty.setDefault(c.name + "/action", Fault{});
    m_faulty.setDefault("tcc/confirm", Fault{});
    advance(64000);
    for (const Case &c : cases) {
        if (c.name == "refused")
            continue;  // its endpoint stays a closed port
        EXPECT_EQ(get("saga-" + c.name).summary.status, TxStatus::Succeeded) << c.name;
    }
    EXPECT_EQ(get("tcc-500").summary.status, TxStatus::Succeeded);
    EXPECT_EQ(m_ledger->balance("A"), 1000 - 30 * 6) << "5 sagas and a TCC debited A once each";
}

}  // namespace
