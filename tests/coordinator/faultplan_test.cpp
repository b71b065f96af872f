// Fault plans carried by a submit (the failure-path explorer's means): applied by a real
// coordinator process to that gid's calls to the real HTTP bank only, audited, refused without
// --allow-fault-injection. (The operator role: security_test.cpp.)
#include "api/protoconvert.h"
#include "support/coordinatorprocess.h"
#include "transfers.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace {

namespace pb = txdesk::v1;
using coord::domain::FaultKind;
using coord::domain::FaultRule;
using coord::domain::OpKind;

class FaultPlanTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ledger.setBalance("acct0", 1000);
        ledger.setBalance("acct1", 1000);
        ASSERT_TRUE(bank.start());
        ASSERT_TRUE(coordinator.start()) << coordinator.output();
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::string flow(bool tcc = false) const
    {
        return testsupport::transferFlow(testsupport::urlsOf(bank), "acct0", "acct1", 100, tcc);
    }
    grpc::Status submit(const std::string &gid, const std::vector<FaultRule> &faults,
                        pb::Transaction *out, bool wait = true, bool tcc = false)
    {
        pb::SubmitRequest req;
        req.set_flow_json(flow(tcc));
        req.set_gid(gid);
        req.set_wait(wait);
        coord::api::toProto(faults, req.mutable_faults());
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
        pb::SubmitReply reply;
        grpc::Status st = coordinator.stub().Submit(&ctx, req, &reply);
        *out = reply.transaction();
        return st;
    }
    static const pb::Operation *op(const pb::Transaction &tx, const std::string &branch,
                                   pb::OpKind kind)
    {
        for (const auto &b : tx.branches())
            if (b.id() == branch)
                for (const auto &o : b.ops())
                    if (o.op() == kind)
                        return &o;
        return nullptr;
    }

    std::string dir = testsupport::makeTempDir("txdesk-faultplan");
    testsupport::BankLedger ledger{dir + "/bank.db"};
    testsupport::HttpBank bank{ledger};
    testsupport::CoordinatorProcess coordinator{dir + "/coordinator.db",
                                                {"--allow-fault-injection"}};
};

TEST_F(FaultPlanTest, aLostAnswerIsRetriedAndTheBarrierLetsTheWorkHappenOnce)
{
    pb::Transaction tx;
    ASSERT_TRUE(submit("lost-1", {{"out", OpKind::Action, FaultKind::AnswerLost, 1}}, &tx).ok());
    EXPECT_EQ(tx.summary().status(), pb::SUCCEEDED);
    EXPECT_EQ(ledger.callCount("TransOut"), 2);  // the call was made both times
    EXPECT_EQ(ledger.maxEffectsPerOperation(), 1);
    EXPECT_EQ(ledger.balance("acct0"), 900);
    EXPECT_EQ(ledger.balance("acct1"), 1100);
    const pb::Operation *out = op(tx, "out", pb::ACTION);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out->attempt_count(), 2);
}

TEST_F(FaultPlanTest, anInjectedBusinessFailureRollsBackWithoutCallingAndIsAudited)
{
    pb::Transaction tx;
    ASSERT_TRUE(
        submit("fail-1", {{"in", OpKind::Action, FaultKind::BusinessFailure, 1}}, &tx).ok());
    EXPECT_EQ(tx.summary().status(), pb::FAILED);
    EXPECT_EQ(ledger.callCount("TransIn"), 0);  // answered by the coordinator, never made
    EXPECT_EQ(ledger.callCount("TransOutCompensate"), 1);
    EXPECT_EQ(ledger.totalBalance(), 2000);
    EXPECT_EQ(ledger.balance("acct0"), 1000);

    auto channel = grpc::CreateChannel(coordinator.address(), grpc::InsecureChannelCredentials());
    pb::ListAuditRequest req;
    req.set_gid("fail-1");
    pb::ListAuditReply audit;
    grpc::ClientContext ctx;
    ASSERT_TRUE(pb::Admin::NewStub(channel)->ListAudit(&ctx, req, &audit).ok());
    ASSERT_EQ(audit.entries_size(), 1);
    EXPECT_EQ(audit.entries(0).action(), "inject-faults");
    EXPECT_EQ(audit.entries(0).who(), "local");
    EXPECT_EQ(audit.entries(0).detail(), "in/action: business-failure ×1");
}

TEST_F(FaultPlanTest, aSlowCallTimesOutAndIsRetried)
{
    pb::Transaction tx;
    ASSERT_TRUE(submit("slow-1", {{"in", OpKind::Try, FaultKind::Slow, 1}}, &tx, true, true).ok());
    EXPECT_EQ(tx.summary().status(), pb::SUCCEEDED);
    const pb::Operation *in = op(tx, "in", pb::TRY);
    ASSERT_NE(in, nullptr);
    ASSERT_EQ(in->attempt_count(), 2);
    EXPECT_NE(in->attempts(0).error().find("no answer within"), std::string::npos)
        << in->attempts(0).error();
    EXPECT_EQ(ledger.totalFrozen(), 0);
    EXPECT_EQ(ledger.balance("acct1"), 1100);
}

TEST_F(FaultPlanTest, aFaultPlanNeverTouchesAnotherTransaction)
{
    pb::Transaction faulty, clean;
    // Three transient errors on out's action, while an unrelated transfer runs.
    ASSERT_TRUE(
        submit("noisy", {{"out", OpKind::Action, FaultKind::TransientError, 3}}, &faulty, false)
            .ok());
    ASSERT_TRUE(submit("quiet", {}, &clean).ok());
    EXPECT_EQ(clean.summary().status(), pb::SUCCEEDED);
    for (const auto &b : clean.branches())
        for (const auto &o : b.ops())
            if (o.op() == pb::ACTION) {
                EXPECT_EQ(o.attempt_count(), 1) << b.id();
                EXPECT_EQ(o.attempts(0).outcome(), pb::ATTEMPT_SUCCESS) << b.id();
            }
    ASSERT_TRUE(submit("noisy", {}, &faulty).ok());  // the same gid again: waits for its end
    EXPECT_EQ(faulty.summary().status(), pb::SUCCEEDED);
    EXPECT_EQ(op(faulty, "out", pb::ACTION)->attempt_count(), 4);
    EXPECT_EQ(ledger.callCount("TransOut"), 2);  // one per transfer: the errors were injected
}

TEST_F(FaultPlanTest, aPlanThatDoesNotFitItsFlowOrGidIsRefused)
{
    pb::Transaction tx;
    grpc::Status st = submit("bad-1", {{"middle", OpKind::Action, FaultKind::AnswerLost, 1}}, &tx);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(st.error_message().find("no branch \"middle\""), std::string::npos)
        << st.error_message();
    st = submit("bad-1", {{"out", OpKind::Confirm, FaultKind::AnswerLost, 1}}, &tx);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(st.error_message().find("has no confirm operation"), std::string::npos)
        << st.error_message();
    st = submit("bad-1", {{"out", OpKind::Action, FaultKind::AnswerLost, 0}}, &tx);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

    ASSERT_TRUE(submit("taken", {}, &tx).ok());
    st = submit("taken", {{"out", OpKind::Action, FaultKind::AnswerLost, 1}}, &tx);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
    EXPECT_NE(st.error_message().find("a fault plan needs a transaction of its own"),
              std::string::npos);
    EXPECT_EQ(ledger.callCount("TransOut"), 1);  // only "taken" ran
}

TEST(FaultPlanRefusal, withoutTheFlagAFaultPlanIsRefusedNamingItAndNothingStarts)
{
    const std::string dir = testsupport::makeTempDir("txdesk-nofaults");
    testsupport::CoordinatorProcess coordinator(dir + "/c.db");
    ASSERT_TRUE(coordinator.start()) << coordinator.output();
    pb::SubmitRequest req;
    req.set_flow_json(testsupport::transferFlow(
        [](const std::string &m) { return "http://127.0.0.1:9/api/" + m; }, "a", "b", 1));
    req.set_gid("refused");
    coord::api::toProto({{"out", OpKind::Action, FaultKind::AnswerLost, 1}}, req.mutable_faults());
    pb::SubmitReply reply;
    grpc::ClientContext ctx;
    grpc::Status st = coordinator.stub().Submit(&ctx, req, &reply);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_NE(st.error_message().find("--allow-fault-injection"), std::string::npos)
        << st.error_message();
    pb::GetRequest get;
    get.set_gid("refused");
    pb::Transaction tx;
    grpc::ClientContext getCtx;
    EXPECT_EQ(coordinator.stub().Get(&getCtx, get, &tx).error_code(), grpc::StatusCode::NOT_FOUND);
    std::filesystem::remove_all(dir);
}

}  // namespace
