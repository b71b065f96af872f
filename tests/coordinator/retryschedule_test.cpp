// The retry what-if (domain/retryschedule.h) against the engine itself: for a table of option
// sets, a participant that is down for a while gets its attempts at the very moments the
// what-if says, and the flow ends — succeeded, out of retries, timed out — when it says.
#include "engineharness.h"

#include "domain/retryschedule.h"

namespace {

using coord::domain::OpKind;
using coord::domain::RetryWhatIfEnd;
using coord::domain::RetryWhatIfInput;
using coord::domain::TxStatus;

struct ScheduleCase {
    const char *name;
    RetryWhatIfInput input;
};
void PrintTo(const ScheduleCase &c, std::ostream *os) { *os << c.name; }

std::vector<ScheduleCase> cases()
{
    auto with = [](int64_t intervalMs, int64_t timeoutMs, int maxRetries, int64_t downForMs) {
        RetryWhatIfInput in;
        in.retryIntervalMs = intervalMs;
        in.timeoutToFailMs = timeoutMs;
        in.maxRetries = maxRetries;
        in.downForMs = downForMs;
        return in;
    };
    return {
        {"backsOffUntilTheParticipantIsBack", with(1000, 0, 0, 20'000)},
        {"backoffIsCappedOnALongOutage", with(10'000, 0, 0, 1'800'000)},
        {"runsOutOfRetriesFirst", with(500, 0, 4, 60'000)},
        {"timesOutDuringAWait", with(1000, 9'000, 0, 60'000)},
        {"comesBackJustBeforeTheTimeout", with(2000, 30'000, 0, 13'000)},
        {"upAtOnce", with(1000, 5'000, 3, 0)},
    };
}

class RetryScheduleTest : public testsupport::EngineHarness,
                          public ::testing::WithParamInterface<ScheduleCase>
{};

TEST_P(RetryScheduleTest, theEngineRetriesWhenTheWhatIfSays)
{
    const RetryWhatIfInput in = GetParam().input;
    const auto expected = coord::domain::retryWhatIf(in);
    int failing = 0;
    for (const auto &a : expected.attempts)
        failing += !a.succeeded;
    Json options = {{"retry_interval_ms", in.retryIntervalMs}, {"wait_result", false}};
    if (in.timeoutToFailMs > 0)
        options["timeout_to_fail_ms"] = in.timeoutToFailMs;
    if (in.maxRetries > 0)
        options["max_retries"] = in.maxRetries;
    Json flow = {{"name", "down"},
                 {"type", "SAGA"},
                 {"options", options},
                 {"branches",
                  {{{"id", "a"},
                    {"action", "sim://down?transient_first=" + std::to_string(failing)},
                    {"compensate", "sim://down"}}}}};
    auto submitted = submit(flow, "what-if");
    ASSERT_TRUE(submitted.ok()) << submitted.status();
    ASSERT_TRUE(settle());
    const int64_t created = get("what-if").summary.createdMs;
    for (int round = 0; round < 500; ++round) {
        const auto tx = get("what-if");
        if (coord::domain::isFinal(tx.summary.status))
            break;
        ASSERT_GT(tx.summary.nextRetryMs, m_clock.nowMs()) << "nothing scheduled";
        advance(tx.summary.nextRetryMs - m_clock.nowMs());
    }
    const auto tx = get("what-if");
    const auto &action = op(tx, "a", OpKind::Action);
    ASSERT_EQ(action.attempts.size(), expected.attempts.size());
    for (size_t i = 0; i < expected.attempts.size(); ++i)
        EXPECT_EQ(action.attempts[i].startedMs - created, expected.attempts[i].startMs)
            << "attempt " << i + 1;
    EXPECT_EQ(tx.summary.status,
              expected.end == RetryWhatIfEnd::Succeeds ? TxStatus::Succeeded : TxStatus::Failed);
    EXPECT_EQ(tx.summary.finishedMs - created, expected.endMs);
    if (expected.end == RetryWhatIfEnd::RetryLimit)
        EXPECT_NE(tx.summary.rollbackReason.find("RetryLimit"), std::string::npos);
    if (expected.end == RetryWhatIfEnd::TimedOut)
        EXPECT_NE(tx.summary.rollbackReason.find("Timeout"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(OptionSets, RetryScheduleTest, ::testing::ValuesIn(cases()),
                         [](const auto &info) { return std::string(info.param.name); });

TEST(RetryWhatIf, backoffDoublesPerErrorUpToTheCap)
{
    using coord::domain::backoffMs;
    EXPECT_EQ(backoffMs(1000, 1, 300'000), 1000);
    EXPECT_EQ(backoffMs(1000, 2, 300'000), 2000);
    EXPECT_EQ(backoffMs(1000, 5, 300'000), 16'000);
    EXPECT_EQ(backoffMs(1000, 40, 300'000), 300'000);
    EXPECT_EQ(backoffMs(0, 1, 300'000), 1);
}

TEST(RetryWhatIf, aHangingParticipantCostsARequestTimeoutPerAttempt)
{
    RetryWhatIfInput in;
    in.retryIntervalMs = 1000;
    in.requestTimeoutMs = 3000;
    in.hangs = true;
    in.downForMs = 10'000;
    const auto w = coord::domain::retryWhatIf(in);
    // 0-3 s, wait 1 s; 4-7 s, wait 2 s; 9-12 s, wait 4 s; 16 s: back.
    ASSERT_EQ(w.attempts.size(), 4u);
    EXPECT_EQ(w.attempts[1].startMs, 4000);
    EXPECT_EQ(w.attempts[2].startMs, 9000);
    EXPECT_EQ(w.attempts[3].startMs, 16'000);
    EXPECT_EQ(w.end, RetryWhatIfEnd::Succeeds);
}

}  // namespace
