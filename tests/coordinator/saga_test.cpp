// SAGA behaviour against the real HTTP test bank (and gRPC for a few), driven by a manual clock.
#include "engineharness.h"

using namespace coord::domain;

namespace {

class SagaTest : public testsupport::EngineHarness
{};

TEST_F(SagaTest, sagaSucceedsAndEachActionRunsOnce)
{
    auto tx = submit(transferSaga(30), "saga-ok");
    ASSERT_TRUE(tx.ok()) << tx.status();
    EXPECT_EQ(tx->summary.status, TxStatus::Succeeded);
    ASSERT_TRUE(settle());
    EXPECT_EQ(m_ledger->balance("A"), 70);
    EXPECT_EQ(m_ledger->balance("B"), 130);
    EXPECT_EQ(m_ledger->effects("saga-ok", "action"), 2);
    EXPECT_EQ(m_ledger->effects("saga-ok", "compensate"), 0);
    auto stored = get("saga-ok");
    EXPECT_EQ(stored.summary.status, TxStatus::Succeeded);
    EXPECT_EQ(op(stored, "out", OpKind::Action).status, OpStatus::Succeeded);
    ASSERT_EQ(op(stored, "in", OpKind::Action).attempts.size(), 1u);
    EXPECT_EQ(op(stored, "in", OpKind::Action).attempts[0].statusCode, 200);
    EXPECT_EQ(op(stored, "out", OpKind::Compensate).status, OpStatus::Pending);
    EXPECT_GT(stored.summary.finishedMs, 0);
    EXPECT_TRUE(stored.summary.owner.empty());
}

TEST_F(SagaTest, sagaRollbackCompensatesFailedAndStartedBranchesInReverseOrder)
{
    Json flow = transferSaga(30);
    flow["branches"].push_back({{"id", "fee"},
                                {"after", {"in"}},
                                {"action", m_http->url("TransOut")},
                                {"compensate", m_http->url("TransOutCompensate")},
                                {"payload", {{"account", "C"}, {"amount", 5}}}});
    m_ledger->script("TransOut", {"SUCCESS", "FAILURE"});  // "out" passes, "fee" fails
    auto tx = submit(flow, "saga-rb");
    ASSERT_TRUE(tx.ok()) << tx.status();
    ASSERT_TRUE(settle());
    auto stored = get("saga-rb");
    EXPECT_EQ(stored.summary.status, TxStatus::Failed);
    EXPECT_NE(stored.summary.rollbackReason.find("branch fee action failed"), std::string::npos)
        << stored.summary.rollbackReason;
    EXPECT_EQ(op(stored, "fee", OpKind::Action).status, OpStatus::Failed);
    for (const char *b : {"out", "in", "fee"})
        EXPECT_EQ(op(stored, b, OpKind::Compensate).status, OpStatus::Succeeded) << b;

    std::vector<std::string> compensations;
    for (const auto &c : m_ledger->calls())
        if (c.op == "compensate")
            compensations.push_back(c.branchId);
    EXPECT_EQ(compensations, (std::vector<std::string>{"fee", "in", "out"}));
    EXPECT_EQ(m_ledger->balance("A"), 100);
    EXPECT_EQ(m_ledger->balance("B"), 100);
    EXPECT_EQ(m_ledger->balance("C"), 100);
}

TEST_F(SagaTest, branchesThatNeverStartedAreNotCompensated)
{
    m_ledger->script("TransOut", {"FAILURE"});
    auto tx = submit(transferSaga(30), "saga-first-fails");
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(settle());
    auto stored = get("saga-first-fails");
    EXPECT_EQ(stored.summary.status, TxStatus::Failed);
    EXPECT_EQ(op(stored, "in", OpKind::Action).attemptCount, 0);
    EXPECT_EQ(op(stored, "in", OpKind::Compensate).attemptCount, 0);
    EXPECT_EQ(op(stored, "out", OpKind::Compensate).status, OpStatus::Succeeded);
    EXPECT_EQ(m_ledger->callCount("TransIn") + m_ledger->callCount("TransInCompensate"), 0);
}

TEST_F(SagaTest, concurrentSagaHonoursAfter)
{
    Json flow = {{"name", "fan-in"},
                 {"type", "SAGA"},
                 {"options", {{"wait_result", true}}},
                 {"branches",
                  {{{"id", "a"},
                    {"action", m_http->url("TransIn")},
                    {"compensate", m_http->url("TransInCompensate")},
                    {"payload", {{"account", "A"}, {"amount", 1}}}},
                   {{"id", "b"},
                    {"action", m_http->url("TransIn")},
                    {"compensate", m_http->url("TransInCompensate")},
                    {"payload", {{"account", "B"}, {"amount", 1}}}},
                   {{"id", "c"},
                    {"after", {"a", "b"}},
                    {"action", m_http->url("TransOut")},
                    {"compensate", m_http->url("TransOutCompensate")},
                    {"payload", {{"account", "C"}, {"amount", 1}}}}}}};
    // Both first branches are slow; they must overlap, and c must wait for both.
    m_ledger->script("TransIn", {"SLOW:150", "SLOW:150"});
    auto tx = submit(flow, "fan-in");
    ASSERT_TRUE(tx.ok());
    EXPECT_EQ(tx->summary.status, TxStatus::Succeeded);
    auto calls = m_ledger->calls();
    int64_t lastFirst = 0, cStart = 0, aStart = -1, bStart = -1;
    for (const auto &c : calls) {
        if (c.branchId == "a")
            aStart = c.atMs;
        else if (c.branchId == "b")
            bStart = c.atMs;
        else if (c.branchId == "c")
            cStart = c.atMs;
    }
    // Overlap, told by the participant: the second call arrived while the first was still
    // being answered (150 ms), whatever the machine's load made of the total time.
    ASSERT_GE(aStart, 0);
    ASSERT_GE(bStart, 0);
    EXPECT_LT(std::abs(aStart - bStart), 150) << "a and b should run concurrently";
    auto stored = get("fan-in");
    for (const char *b : {"a", "b"})
        lastFirst = std::max(lastFirst, op(stored, b, OpKind::Action).attempts.at(0).endedMs);
    EXPECT_GE(op(stored, "c", OpKind::Action).attempts.at(0).startedMs, lastFirst);
    EXPECT_GT(cStart, 0);
}

TEST_F(SagaTest, ongoingThenSuccessPollsAtTheFixedInterval)
{
    m_ledger->script("TransIn", {"ONGOING", "ONGOING"});
    auto tx = submit(transferSaga(30, {{"retry_interval_ms", 5000}}), "ongoing");
    ASSERT_TRUE(tx.ok());
    EXPECT_EQ(tx->summary.status, TxStatus::Submitted) << "wait_result answers after one round";
    ASSERT_TRUE(settle());
    auto parked = get("ongoing");
    EXPECT_EQ(parked.summary.nextRetryMs, m_clock.nowMs() + 5000);
    EXPECT_EQ(advance(4999), 0) << "not due yet";
    EXPECT_EQ(advance(1), 1);
    EXPECT_EQ(get("ongoing").summary.nextRetryMs, m_clock.nowMs() + 5000) << "fixed, not doubled";
    advance(5000);
    auto done = get("ongoing");
    EXPECT_EQ(done.summary.status, TxStatus::Succeeded);
    EXPECT_EQ(op(done, "in", OpKind::Action).attemptCount, 3);
    EXPECT_EQ(op(done, "in", OpKind::Action).attempts[0].outcome, AttemptOutcome::Ongoing);
    EXPECT_EQ(m_ledger->effects("ongoing", "action"), 2);
}

TEST_F(SagaTest, transientErrorsAreRetriedWithGrowingBackoff)
{
    m_ledger->script("TransIn", {"ERROR", "ERROR", "ERROR"});
    auto tx = submit(transferSaga(30, {{"retry_interval_ms", 1000}}), "backoff");
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(settle());
    std::vector<int64_t> waits;
    for (int i = 0; i < 3; ++i) {
        auto t = get("backoff");
        waits.push_back(t.summary.nextRetryMs - m_clock.nowMs());
        advance(waits.back());
    }
    EXPECT_EQ(waits, (std::vector<int64_t>{1000, 2000, 4000}));
    auto done = get("backoff");
    EXPECT_EQ(done.summary.status, TxStatus::Succeeded);
    const auto &attempts = op(done, "in", OpKind::Action).attempts;
    ASSERT_EQ(attempts.size(), 4u);
    EXPECT_EQ(attempts[0].statusCode, 500);
    EXPECT_EQ(attempts[0].outcome, AttemptOutcome::Transient);
    EXPECT_EQ(m_ledger->effects("backoff", "action"), 2);
}

TEST_F(SagaTest, maxRetriesBoundsAttemptsThenRollsBack)
{
    m_ledger->script("TransIn", {"ERROR", "ERROR", "ERROR", "ERROR", "ERROR"});
    auto tx = submit(transferSaga(30, {{"retry_interval_ms", 100}, {"max_retries", 2}}), "bounded");
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(settle());
    for (int i = 0; i < 4; ++i)
        advance(10000);
    auto done = get("bounded");
    EXPECT_EQ(done.summary.status, TxStatus::Failed);
    EXPECT_EQ(op(done, "in", OpKind::Action).attemptCount, 3) << "1 try + max_retries 2";
    EXPECT_NE(done.summary.rollbackReason.find("RetryLimit: 2"), std::string::npos);
    EXPECT_EQ(op(done, "in", OpKind::Compensate).status, OpStatus::Succeeded)
        << "the failed action may have run";
    EXPECT_EQ(m_ledger->balance("A"), 100);
    EXPECT_EQ(m_ledger->balance("B"), 100);
}

TEST_F(SagaTest, requestTimeoutAndRefusedConnectionsAreTransient)
{
    Json flow = transferSaga(30, {{"request_timeout_ms", 200}, {"retry_interval_ms", 100}});
    m_ledger->script("TransOut", {"SLOW:1500"});
    flow["branches"][1]["action"] = "http://127.0.0.1:1/api/TransIn";  // nothing listens there
    auto tx = submit(flow, "timeouts");
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(settle());
    auto t = get("timeouts");
    const auto &out = op(t, "out", OpKind::Action);
    ASSERT_GE(out.attempts.size(), 1u);
    EXPECT_EQ(out.attempts[0].outcome, AttemptOutcome::Transient);
    EXPECT_NE(out.attempts[0].error.find("imed out"), std::string::npos) << out.attempts[0].error;
    advance(200);  // the slow one answers in time now
    advance(200);
    t = get("timeouts");
    const auto &in = op(t, "in", OpKind::Action);
    ASSERT_GE(in.attempts.size(), 1u);
    EXPECT_EQ(in.attempts[0].outcome, AttemptOutcome::Transient);
    EXPECT_EQ(in.attempts[0].statusCode, 0);
    EXPECT_FALSE(in.attempts[0].error.empty());
    EXPECT_EQ(t.summary.status, TxStatus::Submitted);
}

TEST_F(SagaTest, timeoutToFailRollsBackWhatMayHaveRun)
{
    m_ledger->script("TransIn", std::vector<std::string>(20, "ONGOING"));
    auto tx = submit(transferSaga(30, {{"timeout_to_fail_ms", 3000}, {"retry_interval_ms", 1000}}),
                     "deadline");
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(settle());
    advance(1000);
    advance(1000);
    EXPECT_EQ(get("deadline").summary.status, TxStatus::Submitted);
    advance(1000);
    auto done = get("deadline");
    EXPECT_EQ(done.summary.status, TxStatus::Failed);
    EXPECT_EQ(done.summary.rollbackReason, "Timeout after 3000 ms");
    EXPECT_EQ(op(done, "out", OpKind::Compensate).status, OpStatus::Succeeded);
    EXPECT_EQ(op(done, "in", OpKind::Compensate).status, OpStatus::Succeeded);
    EXPECT_EQ(m_ledger->balance("A"), 100);
    EXPECT_EQ(m_ledger->balance("B"), 100);
}

TEST_F(SagaTest, compensationsAreRetriedUntilTheySucceed)
{
    m_ledger->script("TransIn", {"FAILURE"});
    m_ledger->script("TransOutCompensate", {"ERROR", "FAILURE"});
    auto tx = submit(transferSaga(30), "must-compensate");
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(settle());
    EXPECT_EQ(get("must-compensate").summary.status, TxStatus::Aborting);
    advance(1000);
    EXPECT_EQ(get("must-compensate").summary.status, TxStatus::Aborting);
    advance(2000);
    auto done = get("must-compensate");
    EXPECT_EQ(done.summary.status, TxStatus::Failed);
    EXPECT_EQ(op(done, "out", OpKind::Compensate).attemptCount, 3);
    EXPECT_EQ(m_ledger->balance("A"), 100);
}

TEST_F(SagaTest, duplicateSubmitReturnsTheSameTransaction)
{
    auto first = submit(transferSaga(30), "dup");
    ASSERT_TRUE(first.ok());
    auto again = submit(transferSaga(30), "dup");
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->summary.status, TxStatus::Succeeded);
    EXPECT_EQ(m_ledger->effects("dup", "action"), 2) << "nothing ran twice";
    auto different = submit(transferSaga(31), "dup");
    EXPECT_TRUE(absl::IsAlreadyExists(different.status())) << different.status();
}

TEST_F(SagaTest, waitAnswersOnlyWhenFinished)
{
    m_ledger->script("TransIn", {"ONGOING"});
    Json flow = transferSaga(30, {{"retry_interval_ms", 20}, {"wait_result", false}});
    std::promise<absl::StatusOr<Transaction>> answer;
    auto f = answer.get_future();
    m_engine->submit({flow.dump(), "waiting", "", "", true},
                     [&](absl::StatusOr<Transaction> r) { answer.set_value(std::move(r)); });
    ASSERT_TRUE(settle());
    EXPECT_EQ(f.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
    advance(20);
    ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    auto r = f.get();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->summary.status, TxStatus::Succeeded);
}

TEST_F(SagaTest, badFlowsAreRejectedNamingTheField)
{
    Json cyclic = transferSaga(1);
    cyclic["branches"][0]["after"] = {"in"};
    auto r = submit(cyclic);
    EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
    EXPECT_NE(r.status().message().find("cycle"), std::string::npos) << r.status();

    Json unknown = transferSaga(1);
    unknown["branches"][1]["retries"] = 3;
    r = submit(unknown);
    EXPECT_NE(r.status().message().find("flow.branches[1].retries: unknown key"), std::string::npos)
        << r.status();

    Json noCompensate = transferSaga(1);
    noCompensate["branches"][0].erase("compensate");
    r = submit(noCompensate);
    EXPECT_NE(r.status().message().find("flow.branches[0].compensate: missing"), std::string::npos)
        << r.status();
    EXPECT_TRUE(m_store->list({})->transactions.empty()) << "nothing was created";
}

TEST_F(SagaTest, grpcSagaSucceedsAndRollsBack)
{
    Json flow = transferSaga(10);
    flow["branches"][0]["action"] = m_grpc->endpoint("TransOut");
    flow["branches"][0]["compensate"] = m_grpc->endpoint("TransOutCompensate");
    flow["branches"][1]["action"] = m_grpc->endpoint("TransIn");
    flow["branches"][1]["compensate"] = m_grpc->endpoint("TransInCompensate");
    auto ok = submit(flow, "grpc-ok");
    ASSERT_TRUE(ok.ok()) << ok.status();
    EXPECT_EQ(ok->summary.status, TxStatus::Succeeded);
    EXPECT_EQ(m_ledger->balance("A"), 90);

    m_ledger->script("TransIn", {"ONGOING", "FAILURE"});
    auto rb = submit(flow, "grpc-rb");
    ASSERT_TRUE(rb.ok());
    ASSERT_TRUE(settle());
    advance(1000);
    auto done = get("grpc-rb");
    EXPECT_EQ(done.summary.status, TxStatus::Failed);
    EXPECT_EQ(op(done, "in", OpKind::Action).attempts.at(0).outcome, AttemptOutcome::Ongoing);
    EXPECT_EQ(op(done, "in", OpKind::Action).attempts.at(1).statusCode, 10);  // ABORTED
    EXPECT_EQ(m_ledger->balance("A"), 90);
    EXPECT_EQ(m_ledger->balance("B"), 110);
}

}  // namespace
