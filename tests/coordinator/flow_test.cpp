// Flow files: every validation rule, the normal form, and bad input that must never crash.
#include "flow/flowdefinition.h"
#include "flow/simendpoint.h"

#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>

using namespace coord::flow;
using Json = nlohmann::json;

namespace {

Json saga()
{
    return {{"flow",
             {{"name", "t"},
              {"type", "SAGA"},
              {"branches",
               {{{"id", "a"}, {"action", "http://127.0.0.1:8081/a"}, {"compensate", "sim://x"}},
                {{"id", "b"},
                 {"after", {"a"}},
                 {"action", "grpc://127.0.0.1:9000/busi.Busi/TransIn"},
                 {"compensate", "127.0.0.1:9000/busi.Busi/TransInRevert"}}}}}},
            {"layout", {{"a", {{"x", 0}, {"y", 0}}}}}};
}

std::vector<std::string> messages(const ParseResult &r, FlowIssue::Severity s)
{
    std::vector<std::string> out;
    for (const auto &i : r.issues)
        if (i.severity == s)
            out.push_back(i.message);
    return out;
}

bool hasError(const ParseResult &r, const std::string &text)
{
    for (const auto &m : messages(r, FlowIssue::Severity::Error))
        if (m.find(text) != std::string::npos)
            return true;
    return false;
}

TEST(FlowTest, validDocumentParsesWithDefaultsAndIgnoresLayout)
{
    auto r = parseFlow(saga().dump());
    ASSERT_TRUE(r.ok()) << (r.firstError() ? r.firstError()->message : "");
    EXPECT_EQ(r.flow->branches.size(), 2u);
    EXPECT_EQ(r.flow->options.retryIntervalMs, 1000);
    EXPECT_EQ(r.flow->options.requestTimeoutMs, 3000);
    EXPECT_EQ(r.flow->branches[0].payloadJson, "{}");
    EXPECT_EQ(topologicalOrder(*r.flow), (std::vector<std::string>{"a", "b"}));
}

TEST(FlowTest, bareFlowObjectIsAcceptedToo) { EXPECT_TRUE(parseFlow(saga()["flow"].dump()).ok()); }

TEST(FlowTest, normalFormIsStableAndRoundTrips)
{
    auto first = parseFlow(saga().dump());
    std::string text = toJson(*first.flow);
    auto second = parseFlow(text);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(toJson(*second.flow), text);
    EXPECT_LT(text.find("\"name\""), text.find("\"type\"")) << "stable key order";
}

struct BadCase {
    const char *what;
    std::function<void(Json &)> edit;
    const char *expected;
};

class FlowErrors : public ::testing::TestWithParam<BadCase>
{};

// "TCC op in a SAGA" -> Rules/FlowErrors.areRejectedNamingTheField/TCC_op_in_a_SAGA
std::string caseName(const ::testing::TestParamInfo<BadCase> &info)
{
    std::string name;
    for (char c : std::string(info.param.what))
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return name;
}

TEST_P(FlowErrors, areRejectedNamingTheField)
{
    Json doc = saga();
    GetParam().edit(doc);
    auto r = parseFlow(doc.dump());
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(hasError(r, GetParam().expected))
        << GetParam().what
        << "; got: " << (r.firstError() ? r.firstError()->message : std::string("no error"));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, FlowErrors,
    ::testing::Values(
        BadCase{"unknown key", [](Json &d) { d["flow"]["branches"][0]["retry"] = 1; },
                "flow.branches[0].retry: unknown key"},
        BadCase{"unknown top-level key", [](Json &d) { d["extra"] = 1; }, "extra: unknown key"},
        BadCase{"TCC op in a SAGA", [](Json &d) { d["flow"]["branches"][0]["try"] = "sim://x"; },
                "is not an operation of a SAGA branch"},
        BadCase{"missing type", [](Json &d) { d["flow"].erase("type"); }, "flow.type: missing"},
        BadCase{"bad type", [](Json &d) { d["flow"]["type"] = "XA"; }, "flow.type: expected"},
        BadCase{"no branches", [](Json &d) { d["flow"]["branches"] = Json::array(); },
                "needs at least one branch"},
        BadCase{"cycle", [](Json &d) { d["flow"]["branches"][0]["after"] = {"b"}; },
                "ordering cycle"},
        BadCase{"self reference", [](Json &d) { d["flow"]["branches"][0]["after"] = {"a"}; },
                "after itself"},
        BadCase{"unknown after", [](Json &d) { d["flow"]["branches"][1]["after"] = {"zz"}; },
                "unknown branch \"zz\""},
        BadCase{"duplicate id", [](Json &d) { d["flow"]["branches"][1]["id"] = "a"; },
                "duplicate branch id"},
        BadCase{"bad id", [](Json &d) { d["flow"]["branches"][1]["id"] = "a b"; },
                "flow.branches[1].id"},
        BadCase{"missing compensate", [](Json &d) { d["flow"]["branches"][1].erase("compensate"); },
                "flow.branches[1].compensate: missing"},
        BadCase{"missing TCC ops",
                [](Json &d) {
                    d["flow"]["type"] = "TCC";
                    for (auto &b : d["flow"]["branches"]) {
                        b.erase("action");
                        b.erase("compensate");
                        b["try"] = "sim://x";
                        b["confirm"] = "sim://x";
                    }
                },
                "cancel: missing"},
        BadCase{"bad scheme", [](Json &d) { d["flow"]["branches"][0]["action"] = "ftp://h/x"; },
                "unsupported scheme"},
        BadCase{"bad port",
                [](Json &d) { d["flow"]["branches"][0]["action"] = "http://h:99999/x"; },
                "bad host or port"},
        BadCase{"grpc without method",
                [](Json &d) { d["flow"]["branches"][1]["action"] = "grpc://h:1/OnlyService"; },
                "package.Service/Method"},
        BadCase{"bad sim parameter",
                [](Json &d) { d["flow"]["branches"][0]["compensate"] = "sim://x?fail=2"; },
                "out of range"},
        BadCase{"unknown sim parameter",
                [](Json &d) { d["flow"]["branches"][0]["compensate"] = "sim://x?boom=1"; },
                "has no parameter 'boom'"},
        BadCase{"options out of range",
                [](Json &d) {
                    d["flow"]["options"] = {{"request_timeout_ms", 0}};
                },
                "flow.options.request_timeout_ms"},
        BadCase{"oversize payload",
                [](Json &d) { d["flow"]["branches"][0]["payload"] = std::string(300 * 1024, 'x'); },
                "the limit is"},
        BadCase{"payload_base64 not base64",
                [](Json &d) { d["flow"]["branches"][1]["payload_base64"] = "@@"; },
                "is not base64"},
        BadCase{"branches not an array", [](Json &d) { d["flow"]["branches"] = 3; },
                "expected an array"}),
    caseName);

TEST(FlowTest, notJsonIsAnErrorNotACrash)
{
    for (const char *text : {"", "{", "[]", "null", "42", "{\"flow\": 1}", "\xff\xfe"}) {
        auto r = parseFlow(text);
        EXPECT_FALSE(r.ok()) << text;
        EXPECT_NE(r.firstError(), nullptr) << text;
    }
}

TEST(FlowTest, nonRollbackableStepsBeforeRollbackableOnesAreWarned)
{
    Json doc = saga();
    doc["flow"]["branches"][0]["not_rollbackable"] = true;
    doc["flow"]["branches"][0].erase("compensate");
    doc["flow"]["options"] = {{"timeout_to_fail_ms", 5000}};
    auto r = parseFlow(doc.dump());
    ASSERT_TRUE(r.ok()) << "warnings do not reject";
    auto warnings = messages(r, FlowIssue::Severity::Warning);
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_NE(warnings[0].find("\"a\" cannot be rolled back but may run before \"b\""),
              std::string::npos)
        << warnings[0];
    EXPECT_NE(warnings[1].find("timeout"), std::string::npos);

    // Last in the order, it is fine.
    doc = saga();
    doc["flow"]["branches"][1]["not_rollbackable"] = true;
    EXPECT_TRUE(messages(parseFlow(doc.dump()), FlowIssue::Severity::Warning).empty());
}

TEST(FlowTest, simEndpointParametersParse)
{
    std::string error;
    auto spec = parseSimEndpoint("sim://bank?latency=2s&fail=0.25&fail_first=2&seed=7", &error);
    ASSERT_TRUE(spec) << error;
    EXPECT_EQ(spec->name, "bank");
    EXPECT_EQ(spec->latencyMs, 2000);
    EXPECT_DOUBLE_EQ(spec->fail, 0.25);
    EXPECT_EQ(spec->failFirst, 2);
    EXPECT_EQ(spec->seed, 7u);
    EXPECT_FALSE(parseSimEndpoint("sim://?fail=1", &error));
    EXPECT_FALSE(parseSimEndpoint("sim://b?latency=soon", &error));
}

TEST(FlowTest, endpointsAreCheckedBySyntax)
{
    EXPECT_EQ(checkEndpoint("https://example.com/api/x?y=1"), "");
    EXPECT_EQ(checkEndpoint("http://[::1]:8080/x"), "");
    EXPECT_EQ(checkEndpoint("localhost:58081/busi.Busi/TransOut"), "");
    EXPECT_NE(checkEndpoint(""), "");
    EXPECT_NE(checkEndpoint("http://"), "");
    EXPECT_NE(checkEndpoint("http://host/with space"), "");
    EXPECT_NE(checkEndpoint("justaword"), "");
}

}  // namespace
