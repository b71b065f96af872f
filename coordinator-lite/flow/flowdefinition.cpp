#include "flowdefinition.h"

#include "domain/identifiers.h"
#include "jsondepth.h"
#include "simendpoint.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
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
    {
    }

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
                error(path + ".branches", "has " + std::to_string(bs.size())
                                              + " branches; the limit is "
                                              + std::to_string(m_limits.maxBranches));
            else
                for (size_t i = 0; i < bs.size(); ++i)
                    if (auto b = branch(bs[i], path + ".branches[" + std::to_string(i) + "]", f.type))
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
            error(field, "expected an integer from " + std::to_string(min) + " to "
                             + std::to_string(max), branch);
        else
            *out = static_cast<T>(j.get<int64_t>());
    }

    void options(const Json &j, const std::string &path, domain::TxOptions *o)
    {
        if (!j.is_object())
            return error(path, "must be an object");
        rejectUnknown(j, path, {"timeout_to_fail_ms", "retry_interval_ms", "request_timeout_ms",
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
            const bool tokenName =
                !name.empty() && name.size() <= 128
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
        std::set<std::string> known = {"id", "name", "after", "payload", "payload_base64",
                                       "not_rollbackable", "request_timeout_ms", "max_retries"};
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
                      b.id);
            else
                error(path + "." + key, "unknown key", b.id);
        }
        if (!j.contains("id"))
            error(path + ".id", "missing");
        else if (!j["id"].is_string())
            error(path + ".id", "expected a string");
        else if (!domain::isValidBranchId(b.id))
            error(path + ".id", "\"" + b.id + "\" must be " + domain::kBranchIdRule, b.id);
        if (j.contains("name"))
            string(j["name"], path + ".name", &b.name, b.id);
        if (j.contains("after")) {
            const Json &a = j["after"];
            if (!a.is_array())
                error(path + ".after", "expected an array of branch ids", b.id);
            else
                for (size_t i = 0; i < a.size(); ++i) {
                    if (!a[i].is_string())
                        error(path + ".after[" + std::to_string(i) + "]", "expected a branch id",
                              b.id);
                    else
                        b.after.push_back(a[i].get<std::string>());
                }
        }
        for (OpKind op : opsFor(type)) {
            std::string key = domain::toString(op);
            if (j.contains(key)) {
                std::string endpoint;
                string(j[key], path + "." + key, &endpoint, b.id);
                b.endpoints[op] = endpoint;
            }
        }
        if (j.contains("payload")) {
            b.payloadJson = j["payload"].dump();
            if (b.payloadJson.size() > m_limits.maxPayloadBytes)
                error(path + ".payload", "is " + std::to_string(b.payloadJson.size())
                                             + " bytes; the limit is "
                                             + std::to_string(m_limits.maxPayloadBytes),
                      b.id);
        }
        if (j.contains("payload_base64")) {
            string(j["payload_base64"], path + ".payload_base64", &b.payloadBase64, b.id);
            static const std::string alphabet =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
            if (b.payloadBase64.find_first_not_of(alphabet) != std::string::npos)
                error(path + ".payload_base64", "is not base64", b.id);
            else if (b.payloadBase64.size() * 3 / 4 > m_limits.maxPayloadBytes)
                error(path + ".payload_base64",
                      "is " + std::to_string(b.payloadBase64.size() * 3 / 4)
                          + " bytes; the limit is " + std::to_string(m_limits.maxPayloadBytes),
                      b.id);
        }
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

    const FlowLimits &m_limits;
    std::vector<FlowIssue> &m_issues;
};

bool validHostPort(std::string_view hostPort, bool portRequired)
{
    if (hostPort.empty())
        return false;
    size_t colon = hostPort.rfind(':');
    if (hostPort.front() == '[') {  // [ipv6]:port
        size_t close = hostPort.find(']');
        if (close == std::string_view::npos)
            return false;
        colon = close + 1 < hostPort.size() && hostPort[close + 1] == ':' ? close + 1
                                                                          : std::string_view::npos;
    }
    if (colon == std::string_view::npos)
        return !portRequired;
    std::string_view host = hostPort.substr(0, colon), port = hostPort.substr(colon + 1);
    if (host.empty() || port.empty() || port.size() > 5)
        return false;
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    int p = std::stoi(std::string(port));
    return p > 0 && p <= 65535;
}

std::string checkGrpcTarget(std::string_view rest)
{
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos)
        return "gRPC endpoint needs HOST:PORT/package.Service/Method";
    if (!validHostPort(rest.substr(0, slash), true))
        return "gRPC endpoint has a bad HOST:PORT '" + std::string(rest.substr(0, slash)) + "'";
    std::string_view method = rest.substr(slash + 1);
    size_t sep = method.find('/');
    if (sep == std::string_view::npos || sep == 0 || sep + 1 >= method.size()
        || method.find('/', sep + 1) != std::string_view::npos)
        return "gRPC endpoint needs the full method, package.Service/Method";
    return {};
}

}  // namespace

const FlowBranch *FlowDefinition::find(std::string_view id) const
{
    auto it = std::find_if(branches.begin(), branches.end(),
                           [id](const FlowBranch &b) { return b.id == id; });
    return it == branches.end() ? nullptr : &*it;
}

const FlowIssue *ParseResult::firstError() const
{
    for (const FlowIssue &i : issues)
        if (i.severity == Severity::Error)
            return &i;
    return nullptr;
}

std::vector<OpKind> opsFor(TxType type)
{
    if (type == TxType::Saga)
        return {OpKind::Action, OpKind::Compensate};
    return {OpKind::Try, OpKind::Confirm, OpKind::Cancel};
}

OpKind firstPhaseOp(TxType type) { return type == TxType::Saga ? OpKind::Action : OpKind::Try; }
OpKind undoOp(TxType type) { return type == TxType::Saga ? OpKind::Compensate : OpKind::Cancel; }

std::string checkEndpoint(std::string_view e)
{
    if (e.empty())
        return "empty endpoint";
    if (e.size() > 2048)
        return "endpoint longer than 2048 characters";
    for (char c : e)
        if (static_cast<unsigned char>(c) <= 0x20)
            return "endpoint contains spaces or control characters";
    auto startsWith = [&](std::string_view p) { return e.substr(0, p.size()) == p; };
    if (startsWith("http://") || startsWith("https://")) {
        std::string_view rest = e.substr(e.find("://") + 3);
        std::string_view hostPort = rest.substr(0, rest.find_first_of("/?#"));
        if (!validHostPort(hostPort, false))
            return "HTTP endpoint has a bad host or port '" + std::string(hostPort) + "'";
        return {};
    }
    if (startsWith("grpc://"))
        return checkGrpcTarget(e.substr(7));
    if (startsWith("sim://")) {
        std::string error;
        return parseSimEndpoint(e, &error) ? std::string() : error;
    }
    if (e.find("://") != std::string_view::npos)
        return "unsupported scheme in '" + std::string(e.substr(0, e.find("://")))
               + "' (http, https, grpc, sim)";
    return checkGrpcTarget(e);  // DTM's bare host:port/pkg.Svc/Method
}

std::vector<std::string> topologicalOrder(const FlowDefinition &flow)
{
    std::vector<std::string> order;
    std::set<std::string> done;
    std::function<void(const FlowBranch &)> visit = [&](const FlowBranch &b) {
        if (done.count(b.id))
            return;
        done.insert(b.id);
        for (const std::string &a : b.after)
            if (const FlowBranch *dep = flow.find(a))
                visit(*dep);
        order.push_back(b.id);
    };
    for (const FlowBranch &b : flow.branches)
        visit(b);
    return order;
}

std::vector<FlowIssue> validateFlow(const FlowDefinition &flow, const FlowLimits &limits)
{
    std::vector<FlowIssue> issues;
    auto add = [&](Severity s, std::string field, std::string message, std::string branch) {
        issues.push_back({s, field, field + ": " + message, std::move(branch)});
    };
    if (flow.branches.empty())
        add(Severity::Error, "flow.branches", "a flow needs at least one branch", {});
    if (flow.branches.size() > limits.maxBranches)
        add(Severity::Error, "flow.branches", "too many branches", {});

    std::map<std::string, size_t> index;
    for (size_t i = 0; i < flow.branches.size(); ++i) {
        const FlowBranch &b = flow.branches[i];
        std::string path = "flow.branches[" + std::to_string(i) + "]";
        if (!index.emplace(b.id, i).second)
            add(Severity::Error, path + ".id", "duplicate branch id \"" + b.id + "\"", b.id);
    }
    for (size_t i = 0; i < flow.branches.size(); ++i) {
        const FlowBranch &b = flow.branches[i];
        std::string path = "flow.branches[" + std::to_string(i) + "]";
        for (size_t k = 0; k < b.after.size(); ++k) {
            std::string field = path + ".after[" + std::to_string(k) + "]";
            if (b.after[k] == b.id)
                add(Severity::Error, field, "a branch cannot run after itself", b.id);
            else if (!index.count(b.after[k]))
                add(Severity::Error, field, "unknown branch \"" + b.after[k] + "\"", b.id);
        }
        for (OpKind op : opsFor(flow.type)) {
            std::string key = domain::toString(op);
            auto it = b.endpoints.find(op);
            bool optional = op == undoOp(flow.type) && b.notRollbackable;
            if (it == b.endpoints.end() || it->second.empty()) {
                if (!optional)
                    add(Severity::Error, path + "." + key,
                        "missing; a " + domain::toString(flow.type) + " branch needs " + key
                            + (op == OpKind::Compensate ? " (or not_rollbackable: true)" : ""),
                        b.id);
                continue;
            }
            if (std::string problem = checkEndpoint(it->second); !problem.empty())
                add(Severity::Error, path + "." + key, problem, b.id);
        }
        bool grpc = false, http = false;
        for (const auto &[op, endpoint] : b.endpoints) {
            grpc |= endpoint.rfind("grpc://", 0) == 0
                    || (endpoint.find("://") == std::string::npos && !endpoint.empty());
            http |= endpoint.rfind("http", 0) == 0;
        }
        if (http && !b.payloadBase64.empty())
            add(Severity::Warning, path + ".payload_base64",
                "HTTP endpoints send \"payload\"; payload_base64 is ignored", b.id);
        if (grpc && b.payloadBase64.empty() && b.payloadJson != "{}")
            add(Severity::Warning, path + ".payload",
                "gRPC endpoints send payload_base64 (protobuf bytes); the JSON payload is sent "
                "as is",
                b.id);
    }

    // Cycles: depth-first search with colours; report each cycle once, naming its members.
    std::map<std::string, int> colour;
    std::vector<std::string> stack;
    std::set<std::string> reported;
    std::function<void(const FlowBranch &)> dfs = [&](const FlowBranch &b) {
        colour[b.id] = 1;
        stack.push_back(b.id);
        for (const std::string &a : b.after) {
            auto it = index.find(a);
            if (it == index.end() || a == b.id)
                continue;
            if (colour[a] == 1) {
                auto start = std::find(stack.begin(), stack.end(), a);
                std::string cycle;
                for (auto s = start; s != stack.end(); ++s)
                    cycle += *s + " -> ";
                cycle += a;
                if (reported.insert(a).second)
                    add(Severity::Error, "flow.branches[" + std::to_string(index[b.id]) + "].after",
                        "ordering cycle " + cycle, b.id);
            } else if (colour[a] == 0) {
                dfs(flow.branches[it->second]);
            }
        }
        stack.pop_back();
        colour[b.id] = 2;
    };
    for (const FlowBranch &b : flow.branches)
        if (colour[b.id] == 0)
            dfs(b);

    // Ordering hazards of non-rollbackable steps (SAGA): once one has run, a later failure can
    // no longer be fully undone, so each must come after every rollbackable branch.
    if (flow.type == TxType::Saga && reported.empty()) {
        std::map<std::string, std::set<std::string>> ancestors;
        std::function<const std::set<std::string> &(const std::string &)> ancestorsOf =
            [&](const std::string &id) -> const std::set<std::string> & {
            auto it = ancestors.find(id);
            if (it != ancestors.end())
                return it->second;
            std::set<std::string> result;
            if (auto found = index.find(id); found != index.end())
                for (const std::string &a : flow.branches[found->second].after)
                    if (index.count(a)) {
                        result.insert(a);
                        const auto &more = ancestorsOf(a);
                        result.insert(more.begin(), more.end());
                    }
            return ancestors[id] = std::move(result);
        };
        bool anyNotRollbackable = false;
        for (const FlowBranch &b : flow.branches) {
            if (!b.notRollbackable)
                continue;
            anyNotRollbackable = true;
            const auto &before = ancestorsOf(b.id);
            for (const FlowBranch &other : flow.branches)
                if (!other.notRollbackable && !before.count(other.id)) {
                    add(Severity::Warning,
                        "flow.branches[" + std::to_string(index[b.id]) + "].not_rollbackable",
                        "\"" + b.id + "\" cannot be rolled back but may run before \"" + other.id
                            + "\"; if \"" + other.id
                            + "\" fails, the saga cannot undo it. Make it run after every "
                              "rollbackable branch",
                        b.id);
                    break;
                }
        }
        if (anyNotRollbackable && flow.options.timeoutToFailMs > 0)
            add(Severity::Warning, "flow.options.timeout_to_fail_ms",
                "a timeout can roll the saga back after a non-rollbackable step has run", {});
    }
    return issues;
}

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
        result.issues.push_back({Severity::Error, "flow",
                                 std::string("flow: not valid JSON: ") + e.what(), {}});
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

std::string toJson(const FlowDefinition &flow)
{
    nlohmann::ordered_json j;
    j["name"] = flow.name;
    j["type"] = domain::toString(flow.type);
    nlohmann::ordered_json o;
    o["timeout_to_fail_ms"] = flow.options.timeoutToFailMs;
    o["retry_interval_ms"] = flow.options.retryIntervalMs;
    o["request_timeout_ms"] = flow.options.requestTimeoutMs;
    o["max_retries"] = flow.options.maxRetries;
    o["wait_result"] = flow.options.waitResult;
    if (!flow.options.branchHeaders.empty())
        o["branch_headers"] = flow.options.branchHeaders;
    j["options"] = o;
    nlohmann::ordered_json branches = nlohmann::ordered_json::array();
    for (const FlowBranch &b : flow.branches) {
        nlohmann::ordered_json jb;
        jb["id"] = b.id;
        if (!b.name.empty())
            jb["name"] = b.name;
        if (!b.after.empty())
            jb["after"] = b.after;
        for (OpKind op : opsFor(flow.type))
            if (auto it = b.endpoints.find(op); it != b.endpoints.end())
                jb[domain::toString(op)] = it->second;
        if (!b.payloadJson.empty())  // empty: no body at all (DTM's steps without a payload)
            jb["payload"] = nlohmann::ordered_json::parse(b.payloadJson);
        if (!b.payloadBase64.empty())
            jb["payload_base64"] = b.payloadBase64;
        if (b.notRollbackable)
            jb["not_rollbackable"] = true;
        if (b.requestTimeoutMs > 0)
            jb["request_timeout_ms"] = b.requestTimeoutMs;
        if (b.maxRetries >= 0)
            jb["max_retries"] = b.maxRetries;
        branches.push_back(std::move(jb));
    }
    j["branches"] = std::move(branches);
    return j.dump();
}

}  // namespace coord::flow
