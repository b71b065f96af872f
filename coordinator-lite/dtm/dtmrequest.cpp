#include "dtmrequest.h"

#include "domain/identifiers.h"

#include "engine/engine.h"
#include "flow/jsondepth.h"

#include <absl/strings/escaping.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <nlohmann/json.hpp>

#include <deque>

namespace coord::dtm {

using Json = nlohmann::json;

namespace {

absl::Status invalid(const std::string &field, const std::string &problem)
{
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::StatusOr<Json> parseObject(std::string_view body)
{
    if (std::string deep = flow::checkJsonDepth(body, "body"); !deep.empty())
        return absl::InvalidArgumentError(deep);
    Json j = Json::parse(body.begin(), body.end(), nullptr, false);
    if (j.is_discarded())
        return absl::InvalidArgumentError("body: not valid JSON");
    if (!j.is_object())
        return absl::InvalidArgumentError("body: expected a JSON object");
    return j;
}

// Go's encoding/json rules for the SDK's field types: a wrong type is an error, null is "unset".
absl::Status readString(const Json &j, const char *key, std::string *out)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return absl::OkStatus();
    if (!it->is_string())
        return invalid(key, "expected a string");
    *out = it->get<std::string>();
    return absl::OkStatus();
}

absl::Status readSeconds(const Json &j, const char *key, int64_t *out)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return absl::OkStatus();
    if (!it->is_number_integer())
        return invalid(key, "expected a whole number");
    const int64_t v = it->get<int64_t>();
    if (v < 0 || v > 30LL * 24 * 3600)
        return invalid(key, "expected 0 to 2592000 (seconds)");
    *out = v;
    return absl::OkStatus();
}

absl::Status readHeaders(const Json &j, std::map<std::string, std::string> *out)
{
    auto it = j.find("branch_headers");
    if (it == j.end() || it->is_null())
        return absl::OkStatus();
    if (!it->is_object())
        return invalid("branch_headers", "expected an object of strings");
    for (const auto &[name, value] : it->items()) {
        if (!value.is_string())
            return invalid("branch_headers." + name, "expected a string");
        (*out)[name] = value.get<std::string>();
    }
    return absl::OkStatus();
}

absl::StatusOr<std::vector<DtmStep>> readSteps(const Json &steps,
                                               std::vector<std::string> *legacyData)
{
    std::vector<DtmStep> out;
    if (steps.is_null())
        return out;
    if (!steps.is_array())
        return invalid("steps", "expected an array of {\"action\": url, \"compensate\": url}");
    for (size_t i = 0; i < steps.size(); ++i) {
        const std::string field = absl::StrCat("steps[", i, "]");
        if (!steps[i].is_object())
            return invalid(field, "expected an object");
        DtmStep s;
        std::string data;
        for (const auto &[key, value] : steps[i].items()) {
            if (!value.is_string())
                return invalid(field + "." + key, "expected a string");
            if (key == "action")
                s.action = value.get<std::string>();
            else if (key == "compensate")
                s.compensate = value.get<std::string>();
            else if (key == "data")  // DTM's first body layout (test saga_compatible_test.go)
                data = value.get<std::string>();
        }
        if (legacyData)
            legacyData->push_back(data);
        out.push_back(std::move(s));
    }
    return out;
}

// custom_data of a saga (dtmcli/trans_saga.go BuildCustomOptions): concurrent and orders.
struct SagaOrders {
    bool concurrent = false;
    std::map<size_t, std::vector<size_t>> after;  // step -> steps it runs after
};

absl::StatusOr<SagaOrders> parseOrders(const std::string &customData, size_t steps)
{
    SagaOrders o;
    if (customData.empty())
        return o;
    if (std::string deep = flow::checkJsonDepth(customData, "custom_data"); !deep.empty())
        return absl::InvalidArgumentError(deep);
    Json j = Json::parse(customData, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return invalid("custom_data", "expected JSON text of an object");
    if (auto c = j.find("concurrent"); c != j.end() && c->is_boolean())
        o.concurrent = c->get<bool>();
    auto orders = j.find("orders");
    if (orders == j.end() || orders->is_null())
        return o;
    if (!orders->is_object())
        return invalid("custom_data.orders", "expected {\"step\": [steps it runs after]}");
    for (const auto &[key, pre] : orders->items()) {
        const std::string field = "custom_data.orders." + key;
        size_t step = 0;
        if (!absl::SimpleAtoi(key, &step) || step >= steps)
            return invalid(field,
                           absl::StrCat("no step ", key, " (steps are 0 to ", steps - 1, ")"));
        if (!pre.is_array())
            return invalid(field, "expected an array of step numbers");
        for (const Json &p : pre) {
            if (!p.is_number_unsigned() || p.get<size_t>() >= steps)
                return invalid(field, absl::StrCat("expected step numbers 0 to ", steps - 1));
            if (p.get<size_t>() == step)
                return invalid(field, "a step cannot run after itself");
            o.after[step].push_back(p.get<size_t>());
        }
    }
    // Kahn: every step must become runnable, or the orders form a cycle.
    std::vector<int> waiting(steps, 0);
    std::map<size_t, std::vector<size_t>> next;
    for (const auto &[step, pre] : o.after)
        for (size_t p : pre) {
            ++waiting[step];
            next[p].push_back(step);
        }
    std::deque<size_t> ready;
    for (size_t i = 0; i < steps; ++i)
        if (waiting[i] == 0)
            ready.push_back(i);
    size_t seen = 0;
    while (!ready.empty()) {
        size_t s = ready.front();
        ready.pop_front();
        ++seen;
        for (size_t n : next[s])
            if (--waiting[n] == 0)
                ready.push_back(n);
    }
    if (seen != steps)
        return invalid("custom_data.orders", "the orders form a cycle");
    return o;
}

std::string branchIdOf(size_t index)
{
    return index < 9 ? absl::StrCat("0", index + 1) : absl::StrCat(index + 1);
}

}  // namespace

absl::StatusOr<DtmTrans> parseTransJson(std::string_view body)
{
    auto j = parseObject(body);
    if (!j.ok())
        return j.status();
    DtmTrans t;
    for (auto [key, out] : {std::pair{"gid", &t.gid},
                            {"trans_type", &t.transType},
                            {"custom_data", &t.customData},
                            {"rollback_reason", &t.rollbackReason}})
        if (auto s = readString(*j, key, out); !s.ok())
            return s;
    for (auto [key, out] : {std::pair{"timeout_to_fail", &t.timeoutToFailS},
                            {"request_timeout", &t.requestTimeoutS},
                            {"retry_interval", &t.retryIntervalS},
                            {"retry_limit", &t.retryLimit}})
        if (auto s = readSeconds(*j, key, out); !s.ok())
            return s;
    if (auto w = j->find("wait_result"); w != j->end() && !w->is_null()) {
        if (!w->is_boolean())
            return invalid("wait_result", "expected true or false");
        t.waitResult = w->get<bool>();
    }
    if (auto s = readHeaders(*j, &t.branchHeaders); !s.ok())
        return s;
    std::vector<std::string> legacyData;
    auto steps = readSteps(j->value("steps", Json()), &legacyData);
    if (!steps.ok())
        return steps.status();
    t.steps = std::move(*steps);
    if (auto p = j->find("payloads"); p != j->end() && !p->is_null()) {
        if (!p->is_array())
            return invalid("payloads", "expected an array of strings (one body per step)");
        for (size_t i = 0; i < p->size(); ++i) {
            if (!(*p)[i].is_string())
                return invalid(absl::StrCat("payloads[", i, "]"), "expected a string");
            t.payloads.push_back((*p)[i].get<std::string>());
        }
    } else {
        t.payloads = std::move(legacyData);
    }
    return t;
}

absl::StatusOr<DtmBranch> parseBranchJson(std::string_view body)
{
    auto j = parseObject(body);
    if (!j.ok())
        return j.status();
    // dtmsvr/api_http.go binds this body to map[string]string: every value must be a string.
    DtmBranch b;
    for (const auto &[key, value] : j->items()) {
        if (!value.is_string())
            return invalid(key, "expected a string (registerBranch takes string values only)");
        const std::string v = value.get<std::string>();
        if (key == "gid")
            b.gid = v;
        else if (key == "trans_type")
            b.transType = v;
        else if (key == "branch_id")
            b.branchId = v;
        else if (key == "confirm")
            b.confirm = v;
        else if (key == "cancel")
            b.cancel = v;
        else if (key == "data")
            b.data = v;
    }
    return b;
}

absl::StatusOr<std::vector<DtmStep>> parseStepsJson(std::string_view steps)
{
    if (steps.empty())
        return std::vector<DtmStep>{};
    if (std::string deep = flow::checkJsonDepth(steps, "Steps"); !deep.empty())
        return absl::InvalidArgumentError(deep);
    Json j = Json::parse(steps.begin(), steps.end(), nullptr, false);
    if (j.is_discarded())
        return absl::InvalidArgumentError("Steps: not valid JSON");
    auto parsed = readSteps(j, nullptr);
    if (!parsed.ok())
        return absl::InvalidArgumentError(absl::StrCat("Steps: ", parsed.status().message()));
    return parsed;
}

absl::Status checkTrans(const DtmTrans &t, const flow::FlowLimits &limits)
{
    if (t.gid.empty())
        return invalid("gid", "required");
    if (!domain::isValidGid(t.gid))
        return invalid("gid", domain::kGidRule);
    if (t.steps.size() > limits.maxBranches)
        return invalid("steps",
                       absl::StrCat(t.steps.size(),
                                    " steps; the most a transaction may "
                                    "have is ",
                                    limits.maxBranches));
    if (!t.steps.empty() && t.payloads.size() > t.steps.size())
        return invalid("payloads",
                       absl::StrCat(t.payloads.size(), " payloads for ", t.steps.size(), " steps"));
    for (size_t i = 0; i < t.payloads.size(); ++i)
        if (t.payloads[i].size() > limits.maxPayloadBytes)
            return invalid(absl::StrCat("payloads[", i, "]"),
                           absl::StrCat("is ", t.payloads[i].size(), " bytes; the limit is ",
                                        limits.maxPayloadBytes));
    for (const auto &[name, value] : t.branchHeaders)
        if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos
            || value.find_first_of("\r\n") != std::string::npos)
            return invalid("branch_headers." + name, "not a header name and one-line value");
    return absl::OkStatus();
}

std::string endpointName(std::string_view url)
{
    std::string_view path = url.substr(0, url.find('?'));
    while (!path.empty() && path.back() == '/')
        path.remove_suffix(1);
    const size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string flowNameOf(const std::vector<DtmStep> &steps)
{
    std::string name;
    for (const DtmStep &s : steps) {
        if (name.size() > 60) {
            name += " …";
            break;
        }
        absl::StrAppend(&name, name.empty() ? "" : " → ",
                        s.action.empty() ? "(no call)" : endpointName(s.action));
    }
    return name.empty() ? "DTM saga" : name;
}

absl::StatusOr<flow::FlowDefinition> sagaFlow(const DtmTrans &t)
{
    // No steps is a saga that succeeds at once (dtmsvr/trans_type_saga.go: nothing to run).
    auto orders = parseOrders(t.customData, t.steps.size());
    if (!orders.ok())
        return orders.status();
    flow::FlowDefinition f;
    f.name = flowNameOf(t.steps);
    f.type = domain::TxType::Saga;
    f.options.timeoutToFailMs = t.timeoutToFailS * 1000;
    f.options.retryIntervalMs = t.retryIntervalS > 0 ? t.retryIntervalS * 1000
                                                     : kDefaultRetryIntervalMs;
    f.options.requestTimeoutMs = t.requestTimeoutS > 0 ? t.requestTimeoutS * 1000
                                                       : kDefaultRequestTimeoutMs;
    f.options.maxRetries = static_cast<int>(std::min<int64_t>(t.retryLimit, 1000000));
    f.options.waitResult = t.waitResult;
    f.options.branchHeaders = t.branchHeaders;
    for (size_t i = 0; i < t.steps.size(); ++i) {
        const DtmStep &s = t.steps[i];
        flow::FlowBranch b;
        b.id = branchIdOf(i);
        b.name = s.action.empty() ? b.id : endpointName(s.action);
        for (auto [op, url] : {std::pair{domain::OpKind::Action, &s.action},
                               {domain::OpKind::Compensate, &s.compensate}}) {
            if (url->empty())
                continue;
            if (std::string problem = flow::checkEndpoint(*url); !problem.empty())
                return invalid(absl::StrCat("steps[", i, "].", domain::toString(op)), problem);
            b.endpoints[op] = *url;
        }
        const std::string payload = i < t.payloads.size() ? t.payloads[i] : std::string();
        b.payloadBase64 = absl::Base64Escape(payload);
        if (payload.empty())
            b.payloadJson.clear();  // no body: DTM calls with GET
        if (!orders->concurrent && i > 0)
            b.after.push_back(branchIdOf(i - 1));
        if (orders->concurrent)
            if (auto it = orders->after.find(i); it != orders->after.end())
                for (size_t p : it->second)
                    b.after.push_back(branchIdOf(p));
        f.branches.push_back(std::move(b));
    }
    return f;
}

}  // namespace coord::dtm
