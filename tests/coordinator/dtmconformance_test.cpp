// DTM conformance: the exact requests dtm's Go SDK sends (dtmcli/dtmimp/trans_base.go TransBase
// through resty's json.Marshal; dtmgrpc's DtmRequest), against a real coordinator-lite process
// and a real participant process (dtm_busi) on loopback. Each test holds what the participant
// received (method, path, query, headers, body) and the final state against what dtm's server
// does, scenario by scenario from dtm's own test suite (test/saga_*.go, test/tcc_*.go).
#include "support/coordinatorprocess.h"

#include "auth/tokenhash.h"
#include "dtmgimp/dtmgimp.grpc.pb.h"

#include <absl/strings/escaping.h>
#include <absl/strings/str_cat.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

namespace {

using Json = nlohmann::json;
using OJson = nlohmann::ordered_json;
using testsupport::ChildProcess;
using testsupport::CoordinatorProcess;

struct HttpAnswer {
    int status = 0;
    std::string body;
    std::string contentType;
    Json json() const { return Json::parse(body, nullptr, false); }
};

struct HostPort {
    std::string host;
    int port = 0;
    static HostPort parse(const std::string &text)
    {
        const size_t colon = text.rfind(':');
        return {text.substr(0, colon), std::atoi(text.substr(colon + 1).c_str())};
    }
};

class DtmConformanceTest : public ::testing::Test
{
protected:
    void SetUp() override { m_dir = testsupport::makeTempDir("txdesk-dtm"); }
    void TearDown() override
    {
        m_grpc.reset();
        m_coordinator.reset();
        m_busi.reset();
        std::filesystem::remove_all(m_dir);
    }

    void start(const std::string &config = {})
    {
        m_busi =
            std::make_unique<ChildProcess>(testsupport::binDir() + "/dtm_busi",
                                           std::vector<std::string>{"--db", m_dir + "/busi.db"});
        ASSERT_TRUE(m_busi->start());
        const std::string line = m_busi->waitForLine("listening on ");
        ASSERT_FALSE(line.empty()) << m_busi->output();
        m_busiHttp = HostPort::parse(line.substr(0, line.find(' ')));
        m_busiGrpc = line.substr(line.rfind(' ') + 1);
        setBalance("A", 100);
        setBalance("B", 100);

        std::vector<std::string> args = {"--dtm-listen", "127.0.0.1:0"};
        if (!config.empty()) {
            std::ofstream(m_dir + "/coordinator.yaml") << config;
            args.insert(args.end(), {"--config", m_dir + "/coordinator.yaml"});
        }
        m_coordinator = std::make_unique<CoordinatorProcess>(m_dir + "/coordinator.db", args);
        ASSERT_TRUE(m_coordinator->start()) << m_coordinator->output();
        const std::string out = m_coordinator->output();
        const std::string marker = "dtm http listening on ";
        const size_t at = out.find(marker);
        ASSERT_NE(at, std::string::npos) << out;
        m_dtm = HostPort::parse(
            out.substr(at + marker.size(), out.find('\n', at) - at - marker.size()));
        m_grpc = dtmgimp::Dtm::NewStub(
            grpc::CreateChannel(m_coordinator->address(), grpc::InsecureChannelCredentials()));
    }

    // As resty sends it for dtmcli (User-Agent, JSON in and out), optionally with credentials.
    HttpAnswer dtm(const std::string &method, const std::string &op, const std::string &body = {},
                   const std::string &basicUser = {}, const std::string &basicPassword = {})
    {
        httplib::Client c(m_dtm.host, m_dtm.port);
        c.set_read_timeout(30, 0);
        httplib::Headers headers = {
            {"User-Agent", "go-resty/2.7.0 (https://github.com/go-resty/resty)"},
            {"Accept", "application/json"}};
        if (!basicUser.empty() || !basicPassword.empty())
            c.set_basic_auth(basicUser, basicPassword);
        const std::string path = "/api/dtmsvr/" + op;
        auto r = method == "GET" ? c.Get(path, headers)
                                 : c.Post(path, headers, body, "application/json");
        if (!r)
            return {};
        return {r->status, r->body, r->get_header_value("Content-Type")};
    }
    HttpAnswer post(const std::string &op, const OJson &body)
    {
        return dtm("POST", op, body.dump());
    }

    std::string busi(const std::string &method) const
    {
        return absl::StrCat("http://127.0.0.1:", m_busiHttp.port, "/api/busi/", method);
    }
    std::string busiGrpc(const std::string &method) const
    {
        return absl::StrCat(m_busiGrpc, "/busi.Busi/", method);  // DTM's bare form
    }
    Json busiGet(const std::string &path)
    {
        httplib::Client c("127.0.0.1", m_busiHttp.port);
        auto r = c.Get(path);
        return r ? Json::parse(r->body, nullptr, false) : Json();
    }
    void script(const std::string &method, std::vector<std::string> results)
    {
        httplib::Client c("127.0.0.1", m_busiHttp.port);
        c.Post("/_script", Json{{"method", method}, {"results", results}}.dump(),
               "application/json");
    }
    void setBalance(const std::string &account, int64_t balance)
    {
        httplib::Client c("127.0.0.1", m_busiHttp.port);
        c.Post("/_balance", Json{{"account", account}, {"balance", balance}}.dump(),
               "application/json");
    }
    int64_t balance(const std::string &account)
    {
        return busiGet("/_balance?account=" + account).value("balance", int64_t{-1});
    }
    // What the participant received for one gid, in arrival order.
    std::vector<Json> received(const std::string &gid)
    {
        std::vector<Json> out;
        for (const Json &r : busiGet("/_requests")) {
            const bool http = r["transport"] == "http";
            const std::string g = http ? r["query"].value("gid", "")
                                       : r["headers"].value("dtm-gid", "");
            if (g == gid)
                out.push_back(r);
        }
        return out;
    }
    static std::string bodyOf(const Json &r)
    {
        std::string body;
        absl::Base64Unescape(r["body_base64"].get<std::string>(), &body);
        return body;
    }
    static std::string callOf(const Json &r)  // "TransIn/02/action"
    {
        const bool http = r["transport"] == "http";
        const std::string path = r["path"];
        const std::string name = path.substr(path.rfind('/') + 1);
        return http ? absl::StrCat(name, "/", r["query"].value("branch_id", ""), "/",
                                   r["query"].value("op", ""))
                    : absl::StrCat(name, "/", r["headers"].value("dtm-branch_id", ""), "/",
                                   r["headers"].value("dtm-op", ""));
    }
    std::vector<std::string> calls(const std::string &gid)
    {
        std::vector<std::string> out;
        for (const Json &r : received(gid))
            out.push_back(callOf(r));
        return out;
    }

    Json query(const std::string &gid) { return dtm("GET", "query?gid=" + gid).json(); }
    // Branch statuses in DTM's row order ([c01, a01, c02, a02] for a saga).
    std::vector<std::string> rowStatuses(const std::string &gid)
    {
        std::vector<std::string> out;
        const Json q = query(gid);
        for (const Json &b : q["branches"])
            out.push_back(b["status"]);
        return out;
    }
    std::string waitStatus(const std::string &gid, const std::string &status,
                           std::chrono::seconds timeout = std::chrono::seconds(20))
    {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string now;
        while (std::chrono::steady_clock::now() < deadline) {
            Json q = query(gid);
            now = q["transaction"].is_object() ? q["transaction"].value("status", "") : "";
            if (now == status)
                return now;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return now;
    }

    // dtmcli.NewSaga(dtm, gid).Add(…) as json.Marshal writes TransBase (field order and
    // omitempty as the SDK's struct tags).
    static OJson saga(const std::string &gid,
                      std::vector<std::pair<std::string, std::string>> steps,
                      const std::string &payload = R"({"amount":30})",
                      std::vector<std::string> payloads = {})
    {
        OJson j;
        j["gid"] = gid;
        j["trans_type"] = "saga";
        j["concurrent"] = false;
        OJson s = OJson::array(), p = OJson::array();
        for (size_t i = 0; i < steps.size(); ++i) {
            s.push_back({{"action", steps[i].first}, {"compensate", steps[i].second}});
            p.push_back(i < payloads.size() ? payloads[i] : payload);
        }
        j["steps"] = s;
        j["payloads"] = p;
        j["protocol"] = "";
        return j;
    }
    OJson transfer(const std::string &gid)
    {
        return saga(gid,
                    {{busi("TransOut"), busi("TransOutCompensate")},
                     {busi("TransIn"), busi("TransInCompensate")}},
                    {}, {R"({"account":"A","amount":30})", R"({"account":"B","amount":30})"});
    }
    static OJson tcc(const std::string &gid)
    {
        return OJson{{"gid", gid}, {"trans_type", "tcc"}, {"concurrent", false}, {"protocol", ""}};
    }
    // The SDK's registerBranch: a map[string]string, keys sorted, no op.
    HttpAnswer registerTcc(const std::string &gid, const std::string &branchId,
                           const std::string &confirm, const std::string &cancel,
                           const std::string &data)
    {
        return dtm("POST", "registerBranch",
                   Json{{"branch_id", branchId},
                        {"cancel", cancel},
                        {"confirm", confirm},
                        {"data", data},
                        {"gid", gid},
                        {"trans_type", "tcc"}}
                       .dump());
    }
    // The SDK's own try call (dtmcli/dtmimp/trans_base.go TransRequestBranch).
    int tryBranch(const std::string &gid, const std::string &branchId, const std::string &method,
                  const std::string &body)
    {
        httplib::Client c("127.0.0.1", m_busiHttp.port);
        auto r = c.Post(absl::StrCat("/api/busi/", method, "?branch_id=", branchId,
                                     "&dtm=x&gid=", gid, "&op=try&trans_type=tcc"),
                        body, "application/json");
        return r ? r->status : 0;
    }

    std::string m_dir;
    std::unique_ptr<ChildProcess> m_busi;
    HostPort m_busiHttp;
    std::string m_busiGrpc;
    std::unique_ptr<CoordinatorProcess> m_coordinator;
    HostPort m_dtm;
    std::unique_ptr<dtmgimp::Dtm::Stub> m_grpc;
};

TEST_F(DtmConformanceTest, sagaRunsItsStepsInOrderWithDtmQueryParametersAndTheExactBody)
{
    start();
    // The payload as Go's json.Marshal writes it: & < > escaped, which must arrive byte for byte.
    const std::string out = R"({"account":"A","amount":30,"note":"a\u0026b\u003cc"})";
    const std::string in = R"({"account":"B","amount":30,"note":"a\u0026b\u003cc"})";
    OJson body = saga("saga-normal",
                      {{busi("TransOut"), busi("TransOutCompensate")},
                       {busi("TransIn"), busi("TransInCompensate")}},
                      {}, {out, in});
    body["wait_result"] = true;
    auto r = post("submit", body);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, R"({"dtm_result":"SUCCESS"})");
    EXPECT_EQ(r.contentType, "application/json");

    auto got = received("saga-normal");
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(callOf(got[0]), "TransOut/01/action");
    EXPECT_EQ(callOf(got[1]), "TransIn/02/action");
    for (const Json &g : got) {
        EXPECT_EQ(g["method"], "POST");
        EXPECT_EQ(g["query"]["gid"], "saga-normal");
        EXPECT_EQ(g["query"]["trans_type"], "saga");
        EXPECT_EQ(g["headers"]["Content-Type"], "application/json");
    }
    EXPECT_EQ(bodyOf(got[0]), out);
    EXPECT_EQ(bodyOf(got[1]), in);
    EXPECT_EQ(rowStatuses("saga-normal"),
              (std::vector<std::string>{"prepared", "succeed", "prepared", "succeed"}));
    Json tx = query("saga-normal")["transaction"];
    EXPECT_EQ(tx["status"], "succeed");
    EXPECT_EQ(tx["trans_type"], "saga");
    EXPECT_EQ(tx["protocol"], "http");
    EXPECT_FALSE(tx.contains("rollback_reason"));
    EXPECT_EQ(balance("A"), 70);
    EXPECT_EQ(balance("B"), 130);
}

TEST_F(DtmConformanceTest, sagaRollbackCompensatesTheFailedStepAndTheOnesBeforeItInReverse)
{
    start();
    script("TransIn", {"FAILURE"});
    OJson body = transfer("saga-rollback");
    body["wait_result"] = true;
    auto r = post("submit", body);
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(r.json()["dtm_result"], "FAILURE");
    const std::string message = r.json()["message"];
    EXPECT_NE(message.find("scripted"), std::string::npos) << message;  // the business message
    EXPECT_EQ(message.substr(message.size() - 7), "FAILURE");

    EXPECT_EQ(waitStatus("saga-rollback", "failed"), "failed");
    EXPECT_EQ(calls("saga-rollback"),
              (std::vector<std::string>{"TransOut/01/action", "TransIn/02/action",
                                        "TransInCompensate/02/compensate",
                                        "TransOutCompensate/01/compensate"}));
    EXPECT_EQ(rowStatuses("saga-rollback"),
              (std::vector<std::string>{"succeed", "succeed", "succeed", "failed"}));
    EXPECT_NE(query("saga-rollback")["transaction"].value("rollback_reason", "").find("scripted"),
              std::string::npos);
    EXPECT_EQ(balance("A"), 100);
}

TEST_F(DtmConformanceTest, concurrentSagaRunsUnorderedStepsTogetherAndCompensatesAfterDependents)
{
    start();
    // Steps 0 and 1 have no order and overlap; step 2 runs after both and fails.
    script("TransOut", {"SLOW:400", "SLOW:400"});
    OJson body = saga("saga-concurrent",
                      {{busi("TransOut"), busi("TransOutCompensate")},
                       {busi("TransOut"), busi("TransOutCompensate")},
                       {busi("TransIn"), busi("TransInCompensate")}},
                      R"({"account":"A","amount":10})");
    body["custom_data"] = R"({"concurrent":true,"orders":{"2":[0,1]}})";
    body["concurrent"] = true;
    script("TransIn", {"FAILURE"});
    EXPECT_EQ(post("submit", body).status, 200);
    EXPECT_EQ(waitStatus("saga-concurrent", "failed"), "failed");

    auto got = received("saga-concurrent");
    ASSERT_EQ(got.size(), 6u);
    EXPECT_LT(std::abs(got[1]["at_ms"].get<int64_t>() - got[0]["at_ms"].get<int64_t>()), 300)
        << "steps 01 and 02 ran at the same time";
    EXPECT_EQ(callOf(got[2]), "TransIn/03/action");
    EXPECT_EQ(callOf(got[3]), "TransInCompensate/03/compensate") << "dependents are undone first";
    std::set<std::string> last = {callOf(got[4]), callOf(got[5])};
    EXPECT_EQ(last,
              (std::set<std::string>{"TransOutCompensate/01/compensate",
                                     "TransOutCompensate/02/compensate"}));
    EXPECT_EQ(balance("A"), 100);
}

TEST_F(DtmConformanceTest, sequentialSagaWhoseFirstStepFailsNeverCallsTheSecond)
{
    start();
    script("TransOut", {"FAILURE"});
    EXPECT_EQ(post("submit", transfer("saga-first-fails")).status, 200);
    EXPECT_EQ(waitStatus("saga-first-fails", "failed"), "failed");
    EXPECT_EQ(calls("saga-first-fails"),
              (std::vector<std::string>{"TransOut/01/action", "TransOutCompensate/01/compensate"}));
    EXPECT_EQ(rowStatuses("saga-first-fails"),
              (std::vector<std::string>{"succeed", "failed", "prepared", "prepared"}));
}

TEST_F(DtmConformanceTest, ongoingIsRetriedAtTheFixedIntervalAndErrorsBackOff)
{
    start();
    script("TransOut", {"ONGOING", "ONGOING"});
    script("TransIn", {"ERROR", "ERROR"});
    OJson body = transfer("saga-retries");
    body["retry_interval"] = 1;
    EXPECT_EQ(post("submit", body).status, 200);
    EXPECT_EQ(waitStatus("saga-retries", "succeed", std::chrono::seconds(30)), "succeed");
    auto got = received("saga-retries");
    ASSERT_EQ(got.size(), 6u);
    auto gap = [&](size_t a, size_t b) {
        return got[b]["at_ms"].get<int64_t>() - got[a]["at_ms"].get<int64_t>();
    };
    // ONGOING: the fixed interval, 1 s and 1 s. Errors: 1 s, then 2 s (exponential). Timers
    // never fire early; a loaded machine may fire them late.
    EXPECT_GE(gap(0, 1), 950);
    EXPECT_LT(gap(0, 1), 1700);
    EXPECT_GE(gap(1, 2), 950);
    EXPECT_LT(gap(1, 2), 1700) << "ONGOING does not back off";
    EXPECT_GE(gap(3, 4), 950);
    EXPECT_GE(gap(4, 5), 1900) << "errors back off";
    EXPECT_GT(gap(4, 5), gap(3, 4) + 500);
    EXPECT_EQ(balance("B"), 130);
}

TEST_F(DtmConformanceTest, aCompensationThatErrorsIsRetriedUntilItSucceeds)
{
    start();
    script("TransIn", {"FAILURE"});
    script("TransOutCompensate", {"ERROR"});
    OJson body = transfer("saga-compensate-error");
    body["retry_interval"] = 1;
    EXPECT_EQ(post("submit", body).status, 200);
    EXPECT_EQ(waitStatus("saga-compensate-error", "failed"), "failed");
    auto c = calls("saga-compensate-error");
    EXPECT_EQ(std::count(c.begin(), c.end(), "TransOutCompensate/01/compensate"), 2);
    EXPECT_EQ(balance("A"), 100);
}

TEST_F(DtmConformanceTest, waitResultOfASagaLeftOngoingAnswersThatItDidNotSucceed)
{
    start();
    script("TransOut", {"ONGOING"});
    OJson body = transfer("saga-wait-ongoing");
    body["wait_result"] = true;
    body["retry_interval"] = 1;
    auto r = post("submit", body);
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(r.json()["message"], "wait result not return success: FAILURE");
    EXPECT_EQ(query("saga-wait-ongoing")["transaction"]["status"], "submitted");
    EXPECT_EQ(waitStatus("saga-wait-ongoing", "succeed"), "succeed");
}

TEST_F(DtmConformanceTest, branchHeadersReachEveryBranchCallRetriesIncluded)
{
    start();
    script("TransIn", {"ERROR"});
    OJson body = transfer("saga-headers");
    body["branch_headers"] = {{"test_header", "test"}};
    body["retry_interval"] = 1;
    EXPECT_EQ(post("submit", body).status, 200);
    EXPECT_EQ(waitStatus("saga-headers", "succeed"), "succeed");
    auto got = received("saga-headers");
    ASSERT_EQ(got.size(), 3u);
    for (const Json &g : got)
        EXPECT_EQ(g["headers"].value("test_header", ""), "test") << g.dump();
}

TEST_F(DtmConformanceTest, retryLimitRollsTheSagaBackWithDtmsReason)
{
    start();
    script("TransIn", {"ERROR", "ERROR", "ERROR"});
    OJson body = transfer("saga-retry-limit");
    body["retry_limit"] = 1;
    body["retry_interval"] = 1;
    EXPECT_EQ(post("submit", body).status, 200);
    EXPECT_EQ(waitStatus("saga-retry-limit", "failed"), "failed");
    EXPECT_EQ(query("saga-retry-limit")["transaction"]["rollback_reason"],
              "RetryCount is greater than RetryLimit, RetryLimit: 1");
    EXPECT_EQ(balance("A"), 100);
    EXPECT_EQ(balance("B"), 100);
}

TEST_F(DtmConformanceTest, sagaPastItsTimeoutToFailIsRolledBackWithDtmsReason)
{
    start();
    script("TransIn", std::vector<std::string>(20, "ONGOING"));
    OJson body = transfer("saga-timeout");
    body["timeout_to_fail"] = 2;
    body["retry_interval"] = 1;
    EXPECT_EQ(post("submit", body).status, 200);
    EXPECT_EQ(waitStatus("saga-timeout", "failed"), "failed");
    EXPECT_EQ(query("saga-timeout")["transaction"]["rollback_reason"], "Timeout after 2 seconds");
    auto c = calls("saga-timeout");
    EXPECT_EQ(c.back(), "TransOutCompensate/01/compensate");
    EXPECT_EQ(balance("A"), 100);
}

TEST_F(DtmConformanceTest, aPreparedTccPastItsTimeoutIsAbortedAndItsBranchesCancelled)
{
    start();
    OJson body = tcc("tcc-timeout");
    body["timeout_to_fail"] = 1;
    EXPECT_EQ(post("prepare", body).status, 200);
    const std::string out = R"({"account":"A","amount":30})";
    registerTcc("tcc-timeout", "01", busi("TransOutConfirm"), busi("TransOutCancel"), out);
    EXPECT_EQ(tryBranch("tcc-timeout", "01", "TransOutTry", out), 200);
    // The client never submits: the coordinator aborts it and cancels.
    EXPECT_EQ(waitStatus("tcc-timeout", "failed"), "failed");
    EXPECT_EQ(query("tcc-timeout")["transaction"]["rollback_reason"], "Timeout after 1 seconds");
    EXPECT_EQ(calls("tcc-timeout").back(), "TransOutCancel/01/cancel");
    EXPECT_EQ(balance("A"), 100);
    auto late = post("submit", body);
    EXPECT_EQ(late.status, 409);
    EXPECT_EQ(late.json()["message"], "current status 'failed', cannot sumbmit. FAILURE");
}

TEST_F(DtmConformanceTest, aStepWithoutUrlCountsAsDoneWithoutACall)
{
    start();
    OJson body = saga("saga-empty-url", {{"", ""}, {busi("TransIn"), busi("TransInCompensate")}},
                      R"({"account":"B","amount":5})");
    body["wait_result"] = true;
    EXPECT_EQ(post("submit", body).status, 200);
    EXPECT_EQ(calls("saga-empty-url"), (std::vector<std::string>{"TransIn/02/action"}));
}

TEST_F(DtmConformanceTest, aStepWithoutUrlIsDoneOnlyOnceReached)
{
    start();
    script("TransOut", {"FAILURE"});
    OJson body = saga("saga-empty-middle",
                      {{busi("TransOut"), busi("TransOutCompensate")},
                       {"", ""},
                       {busi("TransIn"), busi("TransInCompensate")}},
                      {}, {R"({"account":"A","amount":30})", "", R"({"account":"B","amount":30})"});
    EXPECT_EQ(post("submit", body).status, 200);
    EXPECT_EQ(waitStatus("saga-empty-middle", "failed"), "failed");
    EXPECT_EQ(calls("saga-empty-middle"),
              (std::vector<std::string>{"TransOut/01/action", "TransOutCompensate/01/compensate"}))
        << "step 03 waits for step 02, which waits for step 01";
    EXPECT_EQ(rowStatuses("saga-empty-middle"),
              (std::vector<std::string>{"succeed", "failed", "prepared", "prepared", "prepared",
                                        "prepared"}));
}

TEST_F(DtmConformanceTest, aSagaWithoutStepsSucceeds)
{
    start();
    OJson body = saga("saga-no-steps", {});
    body["wait_result"] = true;
    EXPECT_EQ(post("submit", body).status, 200);
    EXPECT_EQ(query("saga-no-steps")["transaction"]["status"], "succeed");
}

TEST_F(DtmConformanceTest, retryLimitRetriesAtOnceWithinTheRound)
{
    start();
    script("TransIn", {"ERROR"});
    OJson body = transfer("saga-retry-at-once");
    body["retry_limit"] = 3;
    body["wait_result"] = true;
    auto r = post("submit", body);
    EXPECT_EQ(r.status, 200) << "the retry happened inside the round: " << r.body;
    auto got = received("saga-retry-at-once");
    ASSERT_EQ(got.size(), 3u);
    EXPECT_LT(got[2]["at_ms"].get<int64_t>() - got[1]["at_ms"].get<int64_t>(), 500);
}

TEST_F(DtmConformanceTest, aTccBranchWithoutCancelUrlIsRegisteredAndConfirmed)
{
    start();
    EXPECT_EQ(post("prepare", tcc("tcc-no-cancel")).status, 200);
    const std::string out = R"({"account":"A","amount":30})";
    auto r = registerTcc("tcc-no-cancel", "01", busi("TransOutConfirm"), "", out);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(tryBranch("tcc-no-cancel", "01", "TransOutTry", out), 200);
    OJson submit = tcc("tcc-no-cancel");
    submit["wait_result"] = true;
    EXPECT_EQ(post("submit", submit).status, 200);
    EXPECT_EQ(calls("tcc-no-cancel").back(), "TransOutConfirm/01/confirm");
}

TEST_F(DtmConformanceTest, repeatedSubmitOfASubmittedSagaIsAcceptedAndOfAFinishedOneRefused)
{
    start();
    script("TransOut", {"ONGOING"});
    OJson body = transfer("saga-twice");
    body["retry_interval"] = 1;
    EXPECT_EQ(post("submit", body).status, 200);
    EXPECT_EQ(post("submit", body).status, 200) << "submitted: accepted again";
    EXPECT_EQ(waitStatus("saga-twice", "succeed"), "succeed");
    auto r = post("submit", body);
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(r.json()["message"], "current status 'succeed', cannot sumbmit. FAILURE");
    EXPECT_EQ(balance("A"), 70) << "ran once";
}

TEST_F(DtmConformanceTest, newGidQueryAndAllAnswerInDtmsShapes)
{
    start();
    auto gid = dtm("GET", "newGid");
    EXPECT_EQ(gid.status, 200);
    EXPECT_EQ(gid.contentType, "application/json");  // MustGenGid decodes JSON only
    Json g = gid.json();
    ASSERT_TRUE(g["gid"].is_string());
    EXPECT_FALSE(g["gid"].get<std::string>().empty());
    for (const auto &[key, value] : g.items())
        EXPECT_TRUE(value.is_string()) << key << ": only strings (map[string]string)";

    auto unknown = dtm("GET", "query?gid=no-such-gid");
    EXPECT_EQ(unknown.status, 200);
    EXPECT_EQ(unknown.json(), Json::parse(R"({"branches":[],"transaction":null})"));
    auto empty = dtm("GET", "query?gid=");
    EXPECT_EQ(empty.status, 500);
    EXPECT_EQ(empty.json()["message"], "no gid specified");

    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(post("submit", saga(absl::StrCat("all-", i), {{"", ""}})).status, 200);
    auto page1 = dtm("GET", "all?limit=2").json();
    ASSERT_EQ(page1["transactions"].size(), 2u);
    EXPECT_EQ(page1["transactions"][0]["gid"], "all-2") << "newest first";
    ASSERT_FALSE(page1["next_position"].get<std::string>().empty());
    auto page2 =
        dtm("GET", "all?limit=2&position=" + page1["next_position"].get<std::string>()).json();
    ASSERT_EQ(page2["transactions"].size(), 1u);
    EXPECT_EQ(page2["transactions"][0]["gid"], "all-0");
    EXPECT_EQ(page2["next_position"], "");
    EXPECT_EQ(dtm("GET", "all?gid=nope").json()["transactions"], Json());
    EXPECT_EQ(
        dtm("GET", "version").json()["version"].get<std::string>().rfind("coordinator-lite", 0),
        0u);
}

TEST_F(DtmConformanceTest, tccPrepareRegisterSubmitConfirmsInReverseRegistrationOrder)
{
    start();
    OJson body = tcc("tcc-normal");
    EXPECT_EQ(post("prepare", body).status, 200);
    EXPECT_EQ(post("prepare", body).status, 200) << "preparing a prepared gid again is fine";
    const std::string out = R"({"account":"A","amount":30})", in = R"({"account":"B","amount":30})";
    EXPECT_EQ(registerTcc("tcc-normal", "01", busi("TransOutConfirm"), busi("TransOutCancel"), out)
                  .status,
              200);
    EXPECT_EQ(tryBranch("tcc-normal", "01", "TransOutTry", out), 200);
    EXPECT_EQ(
        registerTcc("tcc-normal", "02", busi("TransInConfirm"), busi("TransInCancel"), in).status,
        200);
    EXPECT_EQ(tryBranch("tcc-normal", "02", "TransInTry", in), 200);
    body["wait_result"] = true;
    auto r = post("submit", body);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(
        calls("tcc-normal"),
        (std::vector<std::string>{"TransOutTry/01/try", "TransInTry/02/try",
                                  "TransInConfirm/02/confirm", "TransOutConfirm/01/confirm"}));
    for (const Json &g : received("tcc-normal"))
        if (g["query"]["op"] == "confirm") {
            EXPECT_EQ(g["query"]["trans_type"], "tcc");
            EXPECT_EQ(bodyOf(g), g["query"]["branch_id"] == "01" ? out : in);
        }
    EXPECT_EQ(rowStatuses("tcc-normal"),
              (std::vector<std::string>{"prepared", "succeed", "prepared", "succeed"}));
    EXPECT_EQ(balance("A"), 70);
    EXPECT_EQ(balance("B"), 130);
}

TEST_F(DtmConformanceTest, tccWhoseTryFailsIsAbortedAndEveryRegisteredBranchCancelled)
{
    start();
    EXPECT_EQ(post("prepare", tcc("tcc-rollback")).status, 200);
    const std::string out = R"({"account":"A","amount":30})", in = R"({"account":"B","amount":30})";
    registerTcc("tcc-rollback", "01", busi("TransOutConfirm"), busi("TransOutCancel"), out);
    EXPECT_EQ(tryBranch("tcc-rollback", "01", "TransOutTry", out), 200);
    registerTcc("tcc-rollback", "02", busi("TransInConfirm"), busi("TransInCancel"), in);
    script("TransInTry", {"FAILURE"});
    EXPECT_EQ(tryBranch("tcc-rollback", "02", "TransInTry", in), 409);
    OJson abort = tcc("tcc-rollback");
    abort["rollback_reason"] = R"({"dtm_result":"FAILURE","message":"scripted"} FAILURE)";
    EXPECT_EQ(post("abort", abort).status, 200);
    EXPECT_EQ(waitStatus("tcc-rollback", "failed"), "failed");
    auto c = calls("tcc-rollback");
    ASSERT_EQ(c.size(), 4u);
    EXPECT_EQ(c[2], "TransInCancel/02/cancel");
    EXPECT_EQ(c[3], "TransOutCancel/01/cancel");
    EXPECT_EQ(query("tcc-rollback")["transaction"]["rollback_reason"], abort["rollback_reason"]);
    EXPECT_EQ(balance("A"), 100);
    // Registering after the abort is refused as DTM does.
    auto late = registerTcc("tcc-rollback", "03", busi("TransInConfirm"), busi("TransInCancel"),
                            in);
    EXPECT_EQ(late.status, 409);
    EXPECT_EQ(late.json()["message"],
              "no trans with gid: tcc-rollback status: prepared found FAILURE");
}

TEST_F(DtmConformanceTest, barrierMakesAnUntriedCancelANullCompensationAndALateTryHarmless)
{
    start();
    EXPECT_EQ(post("prepare", tcc("tcc-disorder")).status, 200);
    const std::string out = R"({"account":"A","amount":30})";
    registerTcc("tcc-disorder", "01", busi("TransOutConfirm"), busi("TransOutCancel"), out);
    EXPECT_EQ(post("abort", tcc("tcc-disorder")).status, 200);  // before the try arrived
    EXPECT_EQ(waitStatus("tcc-disorder", "failed"), "failed");
    EXPECT_EQ(tryBranch("tcc-disorder", "01", "TransOutTry", out), 200) << "the hanging try";
    auto effects = [&](const std::string &op) {
        return busiGet("/_effects?gid=tcc-disorder&op=" + op).value("effects", -1);
    };
    EXPECT_EQ(effects("cancel"), 0) << "null compensation";
    EXPECT_EQ(effects("try"), 0) << "no hanging";
    EXPECT_EQ(balance("A"), 100);
    EXPECT_EQ(busiGet("/_balance?account=A").value("frozen", -1), 0);
}

TEST_F(DtmConformanceTest, badBodiesGetDtmShapedErrorsNamingTheFieldAndNothingIsStored)
{
    start();
    auto notJson = dtm("POST", "submit", "{not json");
    EXPECT_EQ(notJson.status, 500);
    EXPECT_EQ(notJson.json()["message"], "body: not valid JSON");
    auto badSteps = dtm("POST", "submit", R"({"gid":"bad-1","trans_type":"saga","steps":"x"})");
    EXPECT_EQ(badSteps.status, 500);
    EXPECT_NE(badSteps.json()["message"].get<std::string>().find("steps"), std::string::npos);
    auto badTimeout = dtm("POST", "submit",
                          R"({"gid":"bad-2","trans_type":"saga","timeout_to_fail":"10"})");
    EXPECT_EQ(badTimeout.json()["message"], "timeout_to_fail: expected a whole number");
    auto deep = dtm("POST", "submit",
                    "{\"gid\":\"bad-3\",\"steps\":" + std::string(100000, '[')
                        + std::string(100000, ']') + "}");
    EXPECT_EQ(deep.status, 500);
    EXPECT_EQ(deep.json()["message"], "body.steps: nested deeper than 256 levels");
    auto number = dtm("POST", "registerBranch", R"({"gid":"x","branch_id":1})");
    EXPECT_EQ(number.status, 400) << "registerBranch takes strings only, as gin's BindJSON";
    OJson big = saga("bad-4", {{busi("TransOut"), busi("TransOutCompensate")}},
                     std::string(300 * 1024, 'x'));
    auto oversized = post("submit", big);
    EXPECT_EQ(oversized.status, 500);
    EXPECT_NE(oversized.json()["message"].get<std::string>().find("payloads[0]"),
              std::string::npos);
    OJson many = saga("bad-7", std::vector<std::pair<std::string, std::string>>(1001, {"", ""}));
    auto tooMany = post("submit", many);
    EXPECT_EQ(tooMany.status, 500);
    EXPECT_EQ(tooMany.json()["message"],
              "steps: 1001 steps; the most a transaction may have is 1000");
    OJson cycle = saga("bad-5", {{"", ""}, {"", ""}});
    cycle["custom_data"] = R"({"concurrent":true,"orders":{"0":[1],"1":[0]}})";
    EXPECT_EQ(post("submit", cycle).json()["message"],
              "custom_data.orders: the orders form a cycle");
    auto msg = dtm("POST", "submit", R"({"gid":"bad-6","trans_type":"msg","steps":[]})");
    EXPECT_EQ(msg.status, 409);
    EXPECT_NE(msg.json()["message"].get<std::string>().find("'msg' is not supported"),
              std::string::npos);
    OJson sagaPrepare = saga("bad-8", {{"", ""}});
    EXPECT_EQ(
        post("prepare", sagaPrepare).json()["message"],
        "this call takes tcc transactions, not saga (a saga is submitted in one call). FAILURE");
    auto abortUnknown = post("abort", tcc("no-such"));
    EXPECT_EQ(abortUnknown.status, 500);
    EXPECT_EQ(abortUnknown.json()["message"], "no TransGlobal with gid: no-such found");
    for (const char *gid : {"bad-1", "bad-2", "bad-3", "bad-4", "bad-5", "bad-6", "bad-7", "bad-8"})
        EXPECT_TRUE(query(gid)["transaction"].is_null()) << gid;
    EXPECT_TRUE(m_coordinator->running());
}

TEST_F(DtmConformanceTest, grpcSagaCallsGrpcBranchesWithDtmMetadataAndRollsBackOnAborted)
{
    start();
    dtmgimp::DtmRequest req;
    req.set_gid("grpc-saga");
    req.set_transtype("saga");
    Json steps = Json::array(
        {{{"action", busiGrpc("TransOut")}, {"compensate", busiGrpc("TransOutCompensate")}},
         {{"action", busiGrpc("TransIn")}, {"compensate", busiGrpc("TransInCompensate")}}});
    req.set_steps(steps.dump());
    const std::string payload = R"({"account":"A","amount":30})";
    req.add_binpayloads(payload);
    req.add_binpayloads(payload);
    req.mutable_transoptions()->set_waitresult(true);
    (*req.mutable_transoptions()->mutable_branchheaders())["test_header"] = "grpc";
    script("TransIn", {"FAILURE"});
    grpc::ClientContext ctx;
    google::protobuf::Empty empty;
    grpc::Status st = m_grpc->Submit(&ctx, req, &empty);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED) << st.error_message();
    EXPECT_EQ(waitStatus("grpc-saga", "failed"), "failed");
    auto got = received("grpc-saga");
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0]["path"], "/busi.Busi/TransOut");
    EXPECT_EQ(got[0]["headers"]["dtm-trans_type"], "saga");
    EXPECT_EQ(got[0]["headers"]["dtm-op"], "action");
    EXPECT_EQ(got[0]["headers"]["test_header"], "grpc");
    EXPECT_EQ(bodyOf(got[0]), payload);
    EXPECT_EQ(callOf(got[3]), "TransOutCompensate/01/compensate");
    EXPECT_EQ(query("grpc-saga")["transaction"]["protocol"], "grpc");
    EXPECT_EQ(balance("A"), 100);
}

TEST_F(DtmConformanceTest, grpcNewGidTccAndTheUnsupportedCalls)
{
    start();
    grpc::ClientContext gidCtx;
    google::protobuf::Empty none;
    dtmgimp::DtmGidReply gid;
    ASSERT_TRUE(m_grpc->NewGid(&gidCtx, none, &gid).ok());
    EXPECT_EQ(gid.gid().size(), 22u);

    auto call = [&](auto method, const auto &request) {
        grpc::ClientContext ctx;
        google::protobuf::Empty reply;
        return (m_grpc.get()->*method)(&ctx, request, &reply);
    };
    dtmgimp::DtmRequest tccReq;
    tccReq.set_gid("grpc-tcc");
    tccReq.set_transtype("tcc");
    tccReq.set_steps("null");  // what dtmgrpc's TCC sends
    ASSERT_TRUE(call(&dtmgimp::Dtm::Stub::Prepare, tccReq).ok());
    dtmgimp::DtmBranchRequest branch;
    branch.set_gid("grpc-tcc");
    branch.set_transtype("tcc");
    branch.set_branchid("01");
    (*branch.mutable_data())["confirm"] = busiGrpc("TransOutConfirm");
    (*branch.mutable_data())["cancel"] = busiGrpc("TransOutCancel");
    branch.set_busipayload(R"({"account":"A","amount":30})");
    ASSERT_TRUE(call(&dtmgimp::Dtm::Stub::RegisterBranch, branch).ok());
    EXPECT_EQ(tryBranch("grpc-tcc", "01", "TransOutTry", R"({"account":"A","amount":30})"), 200);
    ASSERT_TRUE(call(&dtmgimp::Dtm::Stub::Submit, tccReq).ok());
    EXPECT_EQ(waitStatus("grpc-tcc", "succeed"), "succeed");
    EXPECT_EQ(balance("A"), 70);

    grpc::ClientContext wfCtx;
    dtmgimp::DtmProgressesReply progress;
    auto wf = m_grpc->PrepareWorkflow(&wfCtx, tccReq, &progress);
    EXPECT_EQ(wf.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_NE(wf.error_message().find("SAGA and TCC"), std::string::npos);
    dtmgimp::DtmRequest xa;
    xa.set_gid("grpc-xa");
    xa.set_transtype("xa");
    EXPECT_EQ(call(&dtmgimp::Dtm::Stub::Prepare, xa).error_code(), grpc::StatusCode::ABORTED);
}

TEST_F(DtmConformanceTest, tokensComeAsBasicAuthFromTheDtmServerUrlAndForceStopIsAdminOnly)
{
    const std::string config = absl::StrCat("auth:\n  tokens:\n"
                                            "    - { name: ops, role: operator, sha256: ",
                                            coord::auth::tokenHashHex("ops-secret"),
                                            " }\n"
                                            "    - { name: root, role: admin, sha256: ",
                                            coord::auth::tokenHashHex("root-secret"), " }\n");
    start(config);
    const std::string body =
        saga("secured", {{busi("TransOut"), busi("TransOutCompensate")}}).dump();
    EXPECT_EQ(dtm("POST", "submit", body).status, 401);
    EXPECT_EQ(dtm("POST", "submit", body, "dtm", "wrong").status, 401);
    script("TransOut", {"ONGOING", "ONGOING", "ONGOING"});
    // http://dtm:ops-secret@host/api/dtmsvr: Go's net/http sends it as Basic credentials.
    EXPECT_EQ(dtm("POST", "submit", body, "dtm", "ops-secret").status, 200);
    const std::string stop = R"({"gid":"secured"})";
    EXPECT_EQ(dtm("POST", "forceStop", stop, "dtm", "ops-secret").status, 403);
    auto stopped = dtm("POST", "forceStop", stop, "dtm", "root-secret");
    EXPECT_EQ(stopped.status, 200) << stopped.body;
    EXPECT_EQ(
        dtm("GET", "query?gid=secured", {}, "dtm", "ops-secret").json()["transaction"]["status"],
        "failed");
    auto again = dtm("POST", "forceStop", stop, "dtm", "root-secret");
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.json()["message"],
              "global transaction force stop error. status: failed. error: FAILURE");
    // Audited like every operator action, and nothing was compensated.
    auto audit = testsupport::runCommand(
        testsupport::binDir() + "/txctl",
        {"--addr", m_coordinator->address(), "--token", "root-secret", "audit", "--json"});
    EXPECT_NE(audit.out.find("forceStop through the DTM API"), std::string::npos) << audit.out;
    for (const std::string &c : calls("secured"))
        EXPECT_EQ(c.find("Compensate"), std::string::npos) << c;
}

TEST_F(DtmConformanceTest, dtmTransactionsShowInTxctlWithTheirOrigin)
{
    start();
    EXPECT_EQ(post("submit", transfer("seen-by-txctl")).status, 200);
    EXPECT_EQ(waitStatus("seen-by-txctl", "succeed"), "succeed");
    auto got = testsupport::runCommand(
        testsupport::binDir() + "/txctl",
        {"--addr", m_coordinator->address(), "get", "seen-by-txctl", "--json"});
    ASSERT_EQ(got.exitCode, 0) << got.err;
    Json tx = Json::parse(got.out);
    EXPECT_EQ(tx["status"], "SUCCEEDED");
    EXPECT_EQ(tx["origin"], "dtm-http");
    EXPECT_EQ(tx["flow_name"], "TransOut → TransIn");
    ASSERT_EQ(tx["branches"].size(), 2u);
    EXPECT_EQ(tx["branches"][0]["id"], "01");
}

}  // namespace
