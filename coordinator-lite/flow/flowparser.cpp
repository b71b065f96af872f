// Flow files: JSON to FlowDefinition, structure only (keys, types, limits). The meaning of a
// flow is the validator's (flowvalidator.cpp).
#include "flowdefinition.h"

#include "domain/identifiers.h"
#include "endpoint.h"
#include "jsondepth.h"

#include <nlohmann/json.hpp>

#include <set>

namespace coord::flow {

using domain::OpKind;
using domain::TxType;
using Json = nlohmann::json;
using Severity = FlowIssue::Severity;

namespace {

class Parser
{
public:
    Parser(const FlowLimits &limits, std::vector<FlowIssue> &issues)
        : m_limits(limits), m_issues(issues)
    {}

    std::optional<FlowDefinition> flow(const Json &j, const std::string &path)
    {
        if (!j.is_object())
            return error(path, "must be an object"), std::nullopt;
        FlowDefinition f;
        static const std::set<std::string> known = {"name", "type", "options", "branches",
                                                    "description"};
        rejectUnknown(j, path, known);
        if (j.contains("name"))
            string(j["name"], path + ".name", &f.name);
        if (!j.contains("type"))
            error(path + ".type", "missing; expected \"SAGA\" or \"TCC\"");
        else if (!j["type"].is_string() || !domain::txTypeFromString(j["type"].get<std::string>()))
            error(path + ".type", "expected \"SAGA\" or \"TCC\"");
        else
            f.type = *domain::txTypeFromString(j["type"].get<std::string>());
        if (j.contains("options"))
            options(j["options"], path + ".options", &f.options);
        if (!j.contains("branches") || !j["branches"].is_array())
            error(path + ".branches", "missing; expected an array of branches");
        else {
            const Json &bs = j["branches"];
            if (bs.size() > m_limits.maxBranches)
                error(path + ".branches",
                      "has " + std::to_string(bs.size()) + " branches; the limit is "
                          + std::to_string(m_limits.maxBranches));
            else
                for (size_t i = 0; i < bs.size(); ++i)
                    if (auto b = branch(bs[i], path + ".branches[" + std::to_string(i) + "]",
                                        f.type))
                        f.branches.push_back(std::move(*b));
        }
        return f;
    }

private:
    void error(const std::string &field, const std::string &message, const std::string &branch = {})
    {
        m_issues.push_back({Severity::Error, field, field + ": " + message, branch});
    }

    void rejectUnknown(const Json &j, const std::string &path, const std::set<std::string> &known,
                       const std::string &branch = {})
    {
        for (const auto &[key, value] : j.items())
            if (!known.count(key))
                error(path + "." + key, "unknown key", branch);
    }

    void string(const Json &j, const std::string &field, std::string *out,
                const std::string &branch = {})
    {
        if (!j.is_string())
            error(field, "expected a string", branch);
        else
            *out = j.get<std::string>();
    }

    template <typename T>
    void integer(const Json &j, const std::string &field, T *out, int64_t min, int64_t max,
                 const std::string &branch = {})
    {
        if (!j.is_number_integer() || j.get<int64_t>() < min || j.get<int64_t>() > max)
            error(field,
                  "expected an integer from " + std::to_string(min) + " to " + std::to_string(max),
                  branch);
        else
            *out = static_cast<T>(j.get<int64_t>());
    }

    void options(const Json &j, const std::string &path, domain::TxOptions *o)
    {
        if (!j.is_object())
            return error(path, "must be an object");
        rejectUnknown(j, path,
                      {"timeout_to_fail_ms", "retry_interval_ms", "request_timeout_ms",
                       "max_retries", "wait_result", "branch_headers"});
        constexpr int64_t day = 24LL * 3600 * 1000;
        if (j.contains("timeout_to_fail_ms"))
            integer(j["timeout_to_fail_ms"], path + ".timeout_to_fail_ms", &o->timeoutToFailMs, 0,
                    30 * day);
        if (j.contains("retry_interval_ms"))
            integer(j["retry_interval_ms"], path + ".retry_interval_ms", &o->retryIntervalMs, 10,
                    day);
        if (j.contains("request_timeout_ms"))
            integer(j["request_timeout_ms"], path + ".request_timeout_ms", &o->requestTimeoutMs, 1,
                    600000);
        if (j.contains("max_retries"))
            integer(j["max_retries"], path + ".max_retries", &o->maxRetries, 0, 1000000);
        if (j.contains("wait_result")) {
            if (!j["wait_result"].is_boolean())
                error(path + ".wait_result", "expected true or false");
            else
                o->waitResult = j["wait_result"].get<bool>();
        }
        if (j.contains("branch_headers"))
            branchHeaders(j["branch_headers"], path + ".branch_headers", &o->branchHeaders);
    }

    // HTTP header names and values (also sent as gRPC metadata): no line breaks, names a token.
    void branchHeaders(const Json &j, const std::string &path,
                       std::map<std::string, std::string> *out)
    {
        if (!j.is_object())
            return error(path, "expected an object of header names and string values");
        if (j.size() > 64)
            return error(path, "has " + std::to_string(j.size()) + " headers; the limit is 64");
        for (const auto &[name, value] : j.items()) {
            const bool tokenName = !name.empty() && name.size() <= 128
                && name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-_.!#$%&'*+^`|~")
                    == std::string::npos;
            if (!tokenName) {
                error(path, "\"" + name.substr(0, 64) + "\" is not a header name");
                continue;
            }
            if (!value.is_string() || value.get<std::string>().size() > 8192
                || value.get<std::string>().find_first_of("\r\n") != std::string::npos) {
                error(path + "." + name, "expected a string of one line, at most 8192 bytes");
                continue;
            }
            (*out)[name] = value.get<std::string>();
        }
    }

    std::optional<FlowBranch> branch(const Json &j, const std::string &path, TxType type)
    {
        if (!j.is_object())
            return error(path, "must be an object"), std::nullopt;
        FlowBranch b;
        if (j.contains("id") && j["id"].is_string())
            b.id = j["id"].get<std::string>();
        branchKeys(j, path, type, b.id);
        if (!j.contains("id"))
            error(path + ".id", "missing");
        else if (!j["id"].is_string())
            error(path + ".id", "expected a string");
        else if (!domain::isValidBranchId(b.id))
            error(path + ".id", "\"" + b.id + "\" must be " + domain::kBranchIdRule, b.id);
        if (j.contains("name"))
            string(j["name"], path + ".name", &b.name, b.id);
        if (j.contains("after"))
            after(j["after"], path + ".after", &b);
        for (OpKind op : opsFor(type)) {
            std::string key = domain::toString(op);
            if (j.contains(key)) {
                std::string endpoint;
                string(j[key], path + "." + key, &endpoint, b.id);
                b.endpoints[op] = endpoint;
            }
        }
        payloads(j, path, &b);
        if (j.contains("not_rollbackable")) {
            if (!j["not_rollbackable"].is_boolean())
                error(path + ".not_rollbackable", "expected true or false", b.id);
            else
                b.notRollbackable = j["not_rollbackable"].get<bool>();
        }
        if (j.contains("request_timeout_ms"))
            integer(j["request_timeout_ms"], path + ".request_timeout_ms", &b.requestTimeoutMs, 1,
                    600000, b.id);
        if (j.contains("max_retries"))
            integer(j["max_retries"], path + ".max_retries", &b.maxRetries, 0, 1000000, b.id);
        return b;
    }

    // Every key of a branch is one we know, and an operation of its transaction type.
    void branchKeys(const Json &j, const std::string &path, TxType type, const std::string &id)
    {
        std::set<std::string> known = {"id",
                                       "name",
                                       "after",
                                       "payload",
                                       "payload_base64",
                                       "not_rollbackable",
                                       "request_timeout_ms",
                                       "max_retries"};
        for (OpKind op : opsFor(type))
            known.insert(domain::toString(op));
        for (const auto &[key, value] : j.items()) {
            if (known.count(key))
                continue;
            auto op = domain::opKindFromString(key);
            if (op && domain::toString(*op) == key)
                error(path + "." + key,
                      "is not an operation of a " + domain::toString(type) + " branch (use "
                          + (type == TxType::Saga ? "action/compensate" : "try/confirm/cancel")
                          + ")",
                      id);
            else
                error(path + "." + key, "unknown key", id);
        }
    }

    void after(const Json &a, const std::string &path, FlowBranch *b)
    {
        if (!a.is_array())
            return error(path, "expected an array of branch ids", b->id);
        for (size_t i = 0; i < a.size(); ++i) {
            if (!a[i].is_string())
                error(path + "[" + std::to_string(i) + "]", "expected a branch id", b->id);
            else
                b->after.push_back(a[i].get<std::string>());
        }
    }

    // payload (JSON, sent as it is) and payload_base64 (any bytes), each within the limit.
    void payloads(const Json &j, const std::string &path, FlowBranch *b)
    {
        if (j.contains("payload")) {
            b->payloadJson = j["payload"].dump();
            if (b->payloadJson.size() > m_limits.maxPayloadBytes)
                error(path + ".payload",
                      "is " + std::to_string(b->payloadJson.size()) + " bytes; the limit is "
                          + std::to_string(m_limits.maxPayloadBytes),
                      b->id);
        }
        if (j.contains("payload_base64")) {
            string(j["payload_base64"], path + ".payload_base64", &b->payloadBase64, b->id);
            static const std::string alphabet =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
            if (b->payloadBase64.find_first_not_of(alphabet) != std::string::npos)
                error(path + ".payload_base64", "is not base64", b->id);
            else if (b->payloadBase64.size() * 3 / 4 > m_limits.maxPayloadBytes)
                error(path + ".payload_base64",
                      "is " + std::to_string(b->payloadBase64.size() * 3 / 4)
                          + " bytes; the limit is " + std::to_string(m_limits.maxPayloadBytes),
                      b->id);
        }
    }

    const FlowLimits &m_limits;
    std::vector<FlowIssue> &m_issues;
};

}  // namespace

ParseResult parseFlowStructure(std::string_view text, const FlowLimits &limits)
{
    ParseResult result;
    if (std::string deep = checkJsonDepth(text); !deep.empty()) {
        result.issues.push_back({Severity::Error, deep.substr(0, deep.find(": nested")), deep, {}});
        return result;
    }
    Json doc;
    try {
        doc = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error &e) {
        result.issues.push_back(
            {Severity::Error, "flow", std::string("flow: not valid JSON: ") + e.what(), {}});
        return result;
    }
    std::optional<FlowDefinition> flow;
    Parser parser(limits, result.issues);
    if (doc.is_object() && doc.contains("flow")) {
        for (const auto &[key, value] : doc.items())
            if (key != "flow" && key != "layout" && key != "version")
                result.issues.push_back({Severity::Error, key, key + ": unknown key", {}});
        flow = parser.flow(doc["flow"], "flow");
    } else {
        flow = parser.flow(doc, "flow");
    }
    if (flow && !result.firstError())
        result.flow = std::move(flow);
    return result;
}

ParseResult parseFlow(std::string_view text, const FlowLimits &limits)
{
    ParseResult result = parseFlowStructure(text, limits);
    if (!result.flow)
        return result;
    auto more = validateFlow(*result.flow, limits);
    result.issues.insert(result.issues.end(), more.begin(), more.end());
    if (result.firstError())
        result.flow.reset();
    return result;
}

}  // namespace coord::flow
