// Operator actions against real participants: the plan is what happens, the ledgers show it,
// and the audit log records it.
#include "engineharness.h"

#include "domain/operator.h"

using namespace coord::domain;

namespace {

class OperatorTest : public testsupport::EngineHarness
{
protected:
    absl::StatusOr<ActionOutcome> act(OperatorAction action, const std::string &gid,
                                      bool dryRun = false, const std::string &branch = {},
                                      const std::string &reason = "ticket OPS-1")
    {
        ActionCommand cmd;
        cmd.action = action;
        cmd.gid = gid;
        cmd.branchId = branch;
        cmd.reason = reason;
        cmd.dryRun = dryRun;
        cmd.actor = {"alice", Role::Operator};
        return run(cmd);
    }

    absl::StatusOr<ActionOutcome> run(const ActionCommand &cmd)
    {
        std::promise<absl::StatusOr<ActionOutcome>> p;
        auto f = p.get_future();
        m_engine->act(cmd, [&p](absl::StatusOr<ActionOutcome> r) { p.set_value(std::move(r)); });
        auto r = f.get();
        settle();
        return r;
    }

    // A three-step saga whose last step keeps answering ONGOING: stuck mid-way.
    std::string stuckSaga(const std::string &gid)
    {
        Json flow = transferSaga(30);
        flow["branches"].push_back({{"id", "fee"},
                                    {"after", {"in"}},
                                    {"action", m_http->url("TransOut")},
                                    {"compensate", m_http->url("TransOutCompensate")},
                                    {"payload", {{"account", "C"}, {"amount", 5}}}});
        m_ledger->script("TransOut", {"SUCCESS", "ONGOING", "ONGOING", "ONGOING", "ONGOING"});
        EXPECT_TRUE(submit(flow, gid).ok());
        settle();
        return gid;
    }

    std::vector<std::string> compensations(const std::string &gid)
    {
        std::vector<std::string> out;
        for (const auto &c : m_ledger->calls())
            if (c.gid == gid && (c.op == "compensate" || c.op == "cancel"))
                out.push_back(c.branchId);
        return out;
    }

    std::vector<std::string> planned(const ActionPlan &plan)
    {
        std::vector<std::string> out;
        for (const auto &o : plan.operations)
            out.push_back(o.branchId);
        return out;
    }
};

TEST_F(OperatorTest, abortDryRunChangesNothingAndAbortDoesExactlyThePlan)
{
    stuckSaga("stuck");
    auto plan = act(OperatorAction::Abort, "stuck", /*dryRun=*/true);
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(planned(plan->plan), (std::vector<std::string>{"fee", "in", "out"}));
    EXPECT_EQ(plan->plan.resultingStatus, TxStatus::Failed);
    EXPECT_EQ(get("stuck").summary.status, TxStatus::Submitted) << "a dry run changes nothing";
    EXPECT_TRUE(compensations("stuck").empty());
    EXPECT_TRUE(m_store->listAudit({})->empty()) << "a dry run is not an action";

    auto done = act(OperatorAction::Abort, "stuck");
    ASSERT_TRUE(done.ok()) << done.status();
    EXPECT_EQ(planned(done->plan), planned(plan->plan));
    auto tx = get("stuck");
    EXPECT_EQ(tx.summary.status, TxStatus::Failed);
    EXPECT_EQ(tx.summary.rollbackReason, "aborted by alice: ticket OPS-1");
    EXPECT_EQ(compensations("stuck"), planned(plan->plan));
    EXPECT_EQ(m_ledger->balance("A"), 100);
    EXPECT_EQ(m_ledger->balance("B"), 100);
    EXPECT_EQ(m_ledger->balance("C"), 100);

    auto audit = *m_store->listAudit({});
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].who, "alice");
    EXPECT_EQ(audit[0].role, "operator");
    EXPECT_EQ(audit[0].action, "abort");
    EXPECT_EQ(audit[0].gid, "stuck");
    EXPECT_EQ(audit[0].reason, "ticket OPS-1");
    EXPECT_EQ(audit[0].stateBefore, "SUBMITTED");
    EXPECT_EQ(audit[0].stateAfter, "ABORTING");
    EXPECT_EQ(audit[0].outcome, "ok");
    EXPECT_GT(audit[0].atMs, 0);
}

TEST_F(OperatorTest, cancelBranchRunsThatBranchsUndoEvenIfItsActionNeverAnswered)
{
    stuckSaga("cb");
    auto plan = act(OperatorAction::CancelBranch, "cb", true, "fee");
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(planned(plan->plan), (std::vector<std::string>{"fee", "in", "out"}));
    auto done = act(OperatorAction::CancelBranch, "cb", false, "fee");
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(get("cb").summary.status, TxStatus::Failed);
    EXPECT_EQ(compensations("cb"), (std::vector<std::string>{"fee", "in", "out"}));
    EXPECT_EQ(m_ledger->balance("C"), 100);
    EXPECT_EQ(m_store->listAudit({})->at(0).branchId, "fee");
}

TEST_F(OperatorTest, actionsInTheWrongStateAreRefusedChangeNothingAndAreAudited)
{
    ASSERT_TRUE(submit(transferSaga(10), "done").ok());
    settle();
    auto r = act(OperatorAction::Abort, "done");
    EXPECT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
    EXPECT_NE(r.status().message().find("SUCCEEDED"), std::string::npos) << r.status();
    EXPECT_EQ(get("done").summary.status, TxStatus::Succeeded);
    r = act(OperatorAction::Abort, "no-such");
    EXPECT_TRUE(absl::IsNotFound(r.status()));
    r = act(OperatorAction::Abort, "done", false, "", "");
    EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
    auto audit = *m_store->listAudit({});
    ASSERT_EQ(audit.size(), 3u);
    for (const auto &e : audit)
        EXPECT_NE(e.outcome, "ok");
}

TEST_F(OperatorTest, twoOperatorsRacingCannotBothWin)
{
    stuckSaga("race");
    std::promise<absl::StatusOr<ActionOutcome>> p1, p2;
    ActionCommand cmd;
    cmd.action = OperatorAction::Abort;
    cmd.gid = "race";
    cmd.reason = "both at once";
    cmd.actor = {"alice", Role::Operator};
    m_engine->act(cmd, [&](absl::StatusOr<ActionOutcome> r) { p1.set_value(std::move(r)); });
    cmd.actor = {"bob", Role::Operator};
    m_engine->act(cmd, [&](absl::StatusOr<ActionOutcome> r) { p2.set_value(std::move(r)); });
    auto r1 = p1.get_future().get(), r2 = p2.get_future().get();
    settle();
    EXPECT_NE(r1.ok(), r2.ok()) << "exactly one wins";
    EXPECT_EQ(compensations("race").size(), 3u) << "compensated once";
}

TEST_F(OperatorTest, pauseStopsRetriesAndResumeRestartsThem)
{
    stuckSaga("pz");
    ASSERT_TRUE(act(OperatorAction::Pause, "pz").ok());
    EXPECT_TRUE(get("pz").summary.retryPaused);
    EXPECT_EQ(get("pz").summary.stuckReason, stuck::kPaused);
    int before = m_ledger->callCount("TransOut");
    advance(60000);
    EXPECT_EQ(m_ledger->callCount("TransOut"), before) << "paused: no retry";
    EXPECT_TRUE(absl::IsFailedPrecondition(act(OperatorAction::Retry, "pz").status()));
    ASSERT_TRUE(act(OperatorAction::Resume, "pz").ok());
    EXPECT_GT(m_ledger->callCount("TransOut"), before);
}

TEST_F(OperatorTest, retryNowSkipsTheBackoffAndRetryByFilterCountsFirst)
{
    m_ledger->script("TransIn", {"ERROR", "ERROR", "ERROR"});
    ASSERT_TRUE(submit(transferSaga(1, {{"retry_interval_ms", 60000}}), "r1").ok());
    settle();
    int calls = m_ledger->callCount("TransIn");
    ASSERT_TRUE(act(OperatorAction::Retry, "r1").ok());
    EXPECT_EQ(m_ledger->callCount("TransIn"), calls + 1) << "retried at once";

    m_ledger->script("TransIn", {"ERROR", "ERROR"});
    ASSERT_TRUE(submit(transferSaga(1, {{"retry_interval_ms", 60000}}), "r2").ok());
    settle();
    std::promise<absl::StatusOr<std::vector<std::string>>> p;
    m_engine->retryMatching({}, {"alice", Role::Operator}, "sweep", true,
                            [&](auto r) { p.set_value(std::move(r)); });
    auto count = p.get_future().get();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(count->size(), 2u);
}

TEST_F(OperatorTest, resolveSettlesAStuckCompensationByHand)
{
    m_ledger->script("TransIn", {"FAILURE"});
    m_ledger->script("TransOutCompensate", {"FAILURE", "FAILURE", "FAILURE"});
    ASSERT_TRUE(submit(transferSaga(30), "rs").ok());
    settle();
    auto tx = get("rs");
    EXPECT_EQ(tx.summary.status, TxStatus::Aborting);
    EXPECT_EQ(tx.summary.stuckReason, stuck::kMustSucceedFailed);
    ActionCommand cmd;
    cmd.action = OperatorAction::Resolve;
    cmd.gid = "rs";
    cmd.branchId = "out";
    cmd.op = OpKind::Compensate;
    cmd.as = OpStatus::Skipped;
    cmd.reason = "refunded account A by hand";
    cmd.actor = {"alice", Role::Operator};
    auto r = run(cmd);
    ASSERT_TRUE(r.ok()) << r.status();
    tx = get("rs");
    EXPECT_EQ(tx.summary.status, TxStatus::Failed);
    EXPECT_EQ(op(tx, "out", OpKind::Compensate).status, OpStatus::Skipped);
    EXPECT_EQ(m_store->listAudit({})->at(0).stateAfter, "ABORTING; out/compensate skipped");
}

TEST_F(OperatorTest, markFailedEndsWithoutCompensationAndWarns)
{
    stuckSaga("mf");
    auto plan = act(OperatorAction::MarkFailed, "mf", true);
    ASSERT_TRUE(plan.ok());
    EXPECT_TRUE(plan->plan.operations.empty());
    ASSERT_FALSE(plan->plan.warnings.empty());
    ASSERT_TRUE(act(OperatorAction::MarkFailed, "mf").ok());
    EXPECT_EQ(get("mf").summary.status, TxStatus::Failed);
    EXPECT_TRUE(compensations("mf").empty());
    EXPECT_EQ(m_ledger->balance("A"), 70) << "the debit stays: that is what mark-failed means";
}

class StuckTest : public testsupport::EngineHarness
{};

TEST_F(StuckTest, eachReasonComesFromAParticipantThatReallyBehavesThatWay)
{
    // Unreachable: nothing listens on the port.
    Json unreachable = transferSaga(1, {{"retry_interval_ms", 10}});
    unreachable["branches"][1]["action"] = "http://127.0.0.1:1/api/TransIn";
    ASSERT_TRUE(submit(unreachable, "unreachable").ok());
    // Many attempts: ONGOING over and over (its debit is done before the next script).
    m_ledger->script("TransIn", std::vector<std::string>(30, "ONGOING"));
    ASSERT_TRUE(submit(transferSaga(1, {{"retry_interval_ms", 10}}), "many").ok());
    // The same 500 again and again.
    m_ledger->script("TransOut", std::vector<std::string>(30, "ERROR"));
    ASSERT_TRUE(submit(transferSaga(1, {{"retry_interval_ms", 10}}), "repeated").ok());
    settle();
    for (int i = 0; i < 12; ++i)
        advance(100000);
    EXPECT_EQ(get("unreachable").summary.stuckReason, stuck::kUnreachable);
    EXPECT_EQ(get("repeated").summary.stuckReason, stuck::kRepeatedError);
    EXPECT_EQ(get("many").summary.stuckReason, stuck::kManyAttempts);
    ListQuery q;
    q.stuckOnly = true;
    auto page = m_store->list(q);
    ASSERT_TRUE(page.ok());
    std::set<std::string> listed;
    for (const auto &t : page->transactions)
        listed.insert(t.gid);
    EXPECT_TRUE(listed.count("unreachable") && listed.count("many"));
    EXPECT_FALSE(stuck::suggestedAction(stuck::kUnreachable).empty());
}

TEST_F(StuckTest, aTransactionThatHasRunTooLongIsStuckEvenWithoutErrors)
{
    m_ledger->script("TransIn", std::vector<std::string>(5, "ONGOING"));  // a slow participant
    ASSERT_TRUE(submit(transferSaga(1, {{"retry_interval_ms", 400000}}), "old").ok());
    ASSERT_TRUE(settle());
    EXPECT_EQ(get("old").summary.stuckReason, "");
    advance(400000);
    advance(400000);  // 13+ minutes old, over the 10-minute default
    auto tx = get("old");
    EXPECT_EQ(tx.summary.status, TxStatus::Submitted);
    EXPECT_EQ(tx.summary.stuckReason, stuck::kTooOld);
}

}  // namespace
