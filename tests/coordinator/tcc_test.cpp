// TCC, coordinator-driven and client-driven, and the barrier's guarantees, against the HTTP bank.
#include "engineharness.h"

using namespace coord::domain;
using Finish = coord::engine::Engine::Finish;
using When = coord::engine::Engine::AnswerWhen;
constexpr Finish Commit = Finish::Commit, Abort = Finish::Abort;
constexpr When Finished = When::Finished, Durable = When::Durable;

namespace {

class TccTest : public testsupport::EngineHarness
{
protected:
    Json transferTcc(int64_t amount, Json options = Json::object())
    {
        auto branch = [&](const char *id, const char *side, const char *account) {
            std::string s(side);
            return Json{{"id", id},
                        {"try", m_http->url("Trans" + s + "Try")},
                        {"confirm", m_http->url("Trans" + s + "Confirm")},
                        {"cancel", m_http->url("Trans" + s + "Cancel")},
                        {"payload", {{"account", account}, {"amount", amount}}}};
        };
        Json in = branch("in", "In", "B");
        in["after"] = {"out"};
        options["wait_result"] = true;
        return {{"name", "tcc-transfer"},
                {"type", "TCC"},
                {"options", options},
                {"branches", {branch("out", "Out", "A"), in}}};
    }

    absl::StatusOr<Transaction> call(const std::function<void(coord::engine::Engine::Done)> &f)
    {
        std::promise<absl::StatusOr<Transaction>> p;
        auto fut = p.get_future();
        f([&p](absl::StatusOr<Transaction> r) { p.set_value(std::move(r)); });
        if (fut.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
            return absl::DeadlineExceededError("no answer");
        return fut.get();
    }
};

TEST_F(TccTest, tccTriesThenConfirmsEveryBranch)
{
    auto tx = submit(transferTcc(30), "tcc-ok");
    ASSERT_TRUE(tx.ok()) << tx.status();
    ASSERT_TRUE(settle());
    auto done = get("tcc-ok");
    EXPECT_EQ(done.summary.status, TxStatus::Succeeded);
    for (const char *b : {"out", "in"}) {
        EXPECT_EQ(op(done, b, OpKind::Try).status, OpStatus::Succeeded);
        EXPECT_EQ(op(done, b, OpKind::Confirm).status, OpStatus::Succeeded);
        EXPECT_EQ(op(done, b, OpKind::Cancel).attemptCount, 0);
    }
    EXPECT_EQ(m_ledger->balance("A"), 70);
    EXPECT_EQ(m_ledger->frozen("A"), 0);
    EXPECT_EQ(m_ledger->balance("B"), 130);
    // Every confirm came after every try.
    int64_t lastTry = 0, firstConfirm = INT64_MAX;
    for (const auto &c : m_ledger->calls()) {
        if (c.op == "try")
            lastTry = std::max(lastTry, c.atMs);
        if (c.op == "confirm")
            firstConfirm = std::min(firstConfirm, c.atMs);
    }
    EXPECT_LE(lastTry, firstConfirm);
}

TEST_F(TccTest, tryFailureCancelsOnlyBranchesThatTried)
{
    Json flow = transferTcc(30);
    flow["branches"].push_back({{"id", "never"},
                                {"after", {"in"}},
                                {"try", m_http->url("TransInTry")},
                                {"confirm", m_http->url("TransInConfirm")},
                                {"cancel", m_http->url("TransInCancel")},
                                {"payload", {{"account", "C"}, {"amount", 1}}}});
    m_ledger->script("TransInTry", {"FAILURE"});
    auto tx = submit(flow, "tcc-fail");
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(settle());
    auto done = get("tcc-fail");
    EXPECT_EQ(done.summary.status, TxStatus::Failed);
    EXPECT_EQ(op(done, "out", OpKind::Cancel).status, OpStatus::Succeeded);
    EXPECT_EQ(op(done, "in", OpKind::Cancel).status, OpStatus::Succeeded);
    EXPECT_EQ(op(done, "never", OpKind::Try).attemptCount, 0);
    EXPECT_EQ(op(done, "never", OpKind::Cancel).attemptCount, 0);
    EXPECT_EQ(op(done, "out", OpKind::Confirm).attemptCount, 0);
    EXPECT_EQ(m_ledger->balance("A"), 100);
    EXPECT_EQ(m_ledger->frozen("A"), 0);
    // Cancels ran dependents first.
    std::vector<std::string> cancels;
    for (const auto &c : m_ledger->calls())
        if (c.op == "cancel")
            cancels.push_back(c.branchId);
    EXPECT_EQ(cancels, (std::vector<std::string>{"in", "out"}));
}

TEST_F(TccTest, clientDrivenSubmitConfirmsRegisteredBranches)
{
    auto prepared = call([&](auto done) {
        m_engine->prepare({.gid = "client-tcc", .businessKey = "order-9"}, done);
    });
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    EXPECT_EQ(prepared->summary.status, TxStatus::Prepared);
    ASSERT_TRUE(registerBranch("client-tcc", "01", "Out", "A", 25).ok());
    EXPECT_EQ(clientTry("client-tcc", "01", "Out", "A", 25).kind,
              testsupport::BankReply::Kind::Success);
    ASSERT_TRUE(registerBranch("client-tcc", "02", "In", "B", 25).ok());
    EXPECT_EQ(clientTry("client-tcc", "02", "In", "B", 25).kind,
              testsupport::BankReply::Kind::Success);
    EXPECT_TRUE(registerBranch("client-tcc", "02", "In", "B", 25).ok()) << "idempotent";

    auto submitted = call(
        [&](auto done) { m_engine->finishPrepared("client-tcc", Commit, "", Finished, done); });
    ASSERT_TRUE(submitted.ok()) << submitted.status();
    EXPECT_EQ(submitted->summary.status, TxStatus::Succeeded);
    EXPECT_EQ(m_ledger->balance("A"), 75);
    EXPECT_EQ(m_ledger->balance("B"), 125);
    EXPECT_EQ(get("client-tcc").summary.businessKey, "order-9");

    auto again =
        call([&](auto done) { m_engine->finishPrepared("client-tcc", Commit, "", Durable, done); });
    EXPECT_TRUE(again.ok()) << "submitting a succeeded transaction again is idempotent";
    auto late = registerBranch("client-tcc", "03", "In", "C", 1);
    EXPECT_TRUE(absl::IsFailedPrecondition(late)) << late;
}

TEST_F(TccTest, clientDrivenAbortCancelsAndTheBarrierMakesUntriedCancelsNoOps)
{
    ASSERT_TRUE(call([&](auto d) { m_engine->prepare({.gid = "client-abort"}, d); }).ok());
    ASSERT_TRUE(registerBranch("client-abort", "01", "Out", "A", 40).ok());
    EXPECT_EQ(clientTry("client-abort", "01", "Out", "A", 40).kind,
              testsupport::BankReply::Kind::Success);
    EXPECT_EQ(m_ledger->frozen("A"), 40);
    // Registered, but the client crashed before calling try: its cancel must be a no-op.
    ASSERT_TRUE(registerBranch("client-abort", "02", "Out", "C", 10).ok());

    auto aborted = call([&](auto d) {
        m_engine->finishPrepared("client-abort", Abort, "payment declined", Finished, d);
    });
    ASSERT_TRUE(aborted.ok()) << aborted.status();
    EXPECT_EQ(aborted->summary.status, TxStatus::Failed);
    EXPECT_EQ(aborted->summary.rollbackReason, "payment declined");
    EXPECT_EQ(m_ledger->frozen("A"), 0);
    EXPECT_EQ(m_ledger->frozen("C"), 0);
    EXPECT_EQ(m_ledger->effects("client-abort", "cancel"), 1) << "only the tried branch undid";

    // The late try arrives after its cancel: refused, nothing frozen (no hanging).
    auto late = clientTry("client-abort", "02", "Out", "C", 10);
    EXPECT_EQ(late.kind, testsupport::BankReply::Kind::Success);
    EXPECT_EQ(m_ledger->frozen("C"), 0);
    bool refused = false;
    for (const auto &c : m_ledger->calls())
        refused |= c.branchId == "02" && c.op == "try" && c.verdict.find("refused") == 0;
    EXPECT_TRUE(refused);

    auto submitAfterAbort =
        call([&](auto d) { m_engine->finishPrepared("client-abort", Commit, "", Durable, d); });
    EXPECT_TRUE(absl::IsFailedPrecondition(submitAfterAbort.status())) << submitAfterAbort.status();
}

TEST_F(TccTest, preparedPastItsTimeoutIsAborted)
{
    ASSERT_TRUE(call([&](auto d) {
                    coord::engine::PrepareCommand c;
                    c.gid = "forgotten";
                    c.timeoutToFailMs = 5000;
                    m_engine->prepare(c, d);
                }).ok());
    ASSERT_TRUE(registerBranch("forgotten", "01", "Out", "A", 5).ok());
    clientTry("forgotten", "01", "Out", "A", 5);
    ASSERT_TRUE(settle());
    advance(4999);
    EXPECT_EQ(get("forgotten").summary.status, TxStatus::Prepared);
    advance(1);
    auto done = get("forgotten");
    EXPECT_EQ(done.summary.status, TxStatus::Failed);
    EXPECT_EQ(done.summary.rollbackReason, "Timeout after 5000 ms");
    EXPECT_EQ(m_ledger->frozen("A"), 0);
}

TEST_F(TccTest, duplicatePrepareIsIdempotentAndBadRegistrationsAreRefused)
{
    ASSERT_TRUE(call([&](auto d) { m_engine->prepare({.gid = "p1"}, d); }).ok());
    EXPECT_TRUE(call([&](auto d) { m_engine->prepare({.gid = "p1"}, d); }).ok());
    std::promise<absl::Status> p;
    m_engine->registerBranch({"p1", "01", "", "ftp://nope", m_http->url("TransInCancel"), "{}"},
                             [&](absl::Status s) { p.set_value(s); });
    auto bad = p.get_future().get();
    EXPECT_TRUE(absl::IsInvalidArgument(bad));
    EXPECT_NE(bad.message().find("confirm"), std::string::npos) << bad;
    auto unknown = registerBranch("no-such-gid", "01", "In", "B", 1);
    EXPECT_TRUE(absl::IsNotFound(unknown)) << unknown;
}

TEST_F(TccTest, simParticipantsKeepALedgerAndObeyFaults)
{
    Json flow = {{"name", "sim"},
                 {"type", "SAGA"},
                 {"options", {{"wait_result", true}}},
                 {"branches",
                  {{{"id", "a"}, {"action", "sim://s1"}, {"compensate", "sim://s1"}},
                   {{"id", "b"},
                    {"after", {"a"}},
                    {"action", "sim://s2?fail_first=1"},
                    {"compensate", "sim://s2"}}}}};
    auto tx = submit(flow, "sim-rb");
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(settle());
    EXPECT_EQ(get("sim-rb").summary.status, TxStatus::Failed);
    EXPECT_EQ(m_sim->executedCount("s1", "sim-rb", "action"), 1);
    EXPECT_EQ(m_sim->executedCount("s1", "sim-rb", "compensate"), 1);
    auto s2 = m_sim->ledger("s2");
    ASSERT_EQ(s2.size(), 1u) << "the failed action had no effect; its compensation is null";
    EXPECT_EQ(s2[0].op, "compensate");
    EXPECT_EQ(s2[0].verdict, "null compensation");
}

}  // namespace
