#include "dtmhttpserver.h"

#include "net/httplistener.h"

#include "dtmjson.h"
#include "dtmservice.h"

#include "api/accessguard.h"
#include "engine/branchinvoker.h"

#include <absl/strings/escaping.h>
#include <absl/strings/match.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <future>
#include <optional>
#include <tuple>

namespace coord::dtm {

using Json = nlohmann::json;
using domain::Role;

namespace {

constexpr const char *kJson = "application/json";
// Longer than any one round the engine answers after (wait_result), so a client is not told
// "no answer" while its answer is on its way.
constexpr auto kAnswerTimeout = std::chrono::seconds(120);
constexpr const char *kBase = "/api/dtmsvr/";

void send(httplib::Response &res, int status, const Json &body)
{
    res.status = status;
    // A participant's answer may hold bytes that are not UTF-8: replaced, as Go's encoder does.
    res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), kJson);
}

// One answer on the wire (dtmutil/utils.go WrapHandler2); `invalidStatus` is what a malformed
// body gets: 500 as DTM's handlers, 400 for registerBranch (gin's BindJSON).
void reply(httplib::Response &res, const DtmAnswer &a, int invalidStatus = 500)
{
    switch (a.kind) {
    case DtmAnswer::Kind::Success:
        return send(res, 200, {{"dtm_result", "SUCCESS"}});
    case DtmAnswer::Kind::Failure:
        return send(res, 409, {{"dtm_result", "FAILURE"}, {"message", a.failureText()}});
    case DtmAnswer::Kind::Ongoing:
        return send(res, 425, {{"dtm_result", "ONGOING"}, {"message", a.message}});
    case DtmAnswer::Kind::Invalid:
        return send(res, invalidStatus, {{"message", a.message}});
    case DtmAnswer::Kind::Unauthenticated:
        res.set_header("WWW-Authenticate", "Basic realm=\"coordinator-lite\"");
        return send(res, 401, {{"message", a.message}});
    case DtmAnswer::Kind::PermissionDenied:
        return send(res, 403, {{"message", a.message}});
    case DtmAnswer::Kind::Unavailable:
        return send(res, 503, {{"message", a.message}});
    case DtmAnswer::Kind::Error:
        break;
    }
    send(res, 500, {{"message", a.message}});
}

// Basic credentials (user:TOKEN, or TOKEN: alone) or a Bearer token.
std::optional<std::string> tokenOf(const httplib::Request &req)
{
    const std::string auth = req.get_header_value("Authorization");
    if (absl::StartsWith(auth, "Bearer "))
        return auth.substr(7);
    if (absl::StartsWith(auth, "Basic ")) {
        std::string decoded;
        if (!absl::Base64Unescape(auth.substr(6), &decoded))
            return std::string();
        const size_t colon = decoded.find(':');
        if (colon == std::string::npos)
            return decoded;
        std::string password = decoded.substr(colon + 1);
        return password.empty() ? decoded.substr(0, colon) : password;
    }
    if (!auth.empty())
        return std::string();  // something, but nothing we read: "not valid"
    return std::nullopt;
}

template <class Call>
DtmAnswer await(Call call)
{
    auto answer = std::make_shared<std::promise<DtmAnswer>>();
    auto future = answer->get_future();
    call([answer](DtmAnswer a) { answer->set_value(std::move(a)); });
    if (future.wait_for(kAnswerTimeout) != std::future_status::ready)
        return DtmAnswer::error("no answer from the coordinator in time; the request may still "
                                "take effect: query the gid");
    return future.get();
}

}  // namespace

DtmHttpServer::DtmHttpServer(DtmService &service, api::AccessGuard &guard, std::string version,
                             engine::BranchInvoker *sim)
    : m_service(service), m_guard(guard), m_version(std::move(version)), m_sim(sim)
{}

DtmHttpServer::~DtmHttpServer() { stop(); }

DtmHttpServer::Handler DtmHttpServer::guarded(Role role, const char *rpc, ActorHandler handler)
{
    // Who may call it, then what it does.
    return [this, role, rpc, handler = std::move(handler)](const httplib::Request &req,
                                                           httplib::Response &res) {
        const std::optional<std::string> token = tokenOf(req);
        auto actor = m_guard.checkToken(token ? &*token : nullptr, req.remote_addr, role, rpc);
        if (!actor.ok())
            return reply(res, DtmAnswer::fromStatus(actor.status()));
        handler(req, res, *actor);
    };
}

void DtmHttpServer::routes()
{
    routeServiceAndTransactions();
    routeQueries();
    routeOperatorActions();
    if (m_sim)
        routeSimBridge();
    routeUnsupported();
}

// ping, version, newGid; prepare, submit, abort and branch registration.
void DtmHttpServer::routeServiceAndTransactions()
{
    const std::string base = kBase;
    m_http->Get("/api/ping", [](const httplib::Request &, httplib::Response &res) {
        send(res, 200, {{"msg", "pong"}});
    });
    m_http->Get(base + "version", [this](const httplib::Request &, httplib::Response &res) {
        send(res, 200, {{"version", m_version}});
    });
    m_http->Get(
        base + "newGid",
        guarded(Role::Viewer, "DTM newGid", [this](auto &, auto &res, const domain::Actor &) {
            // Strings only: MustGenGid decodes map[string]string.
            send(res, 200, {{"gid", m_service.newGid().gid}, {"dtm_result", "SUCCESS"}});
        }));
    // prepare, submit, abort: DTM's TransGlobal body, one use-case each.
    using Run = std::function<void(const DtmTrans &, DtmService::Reply)>;
    const std::tuple<const char *, const char *, Run> transRoutes[] = {
        {"prepare", "DTM prepare",
         [this](const DtmTrans &t, DtmService::Reply r) {
             m_service.prepare(t, domain::TxOrigin::DtmHttp, std::move(r));
         }},
        {"submit", "DTM submit",
         [this](const DtmTrans &t, DtmService::Reply r) {
             m_service.submit(t, domain::TxOrigin::DtmHttp, std::move(r));
         }},
        {"abort", "DTM abort",
         [this](const DtmTrans &t, DtmService::Reply r) { m_service.abort(t, std::move(r)); }},
    };
    for (const auto &[op, rpc, run] : transRoutes)
        m_http->Post(
            base + op,
            guarded(Role::Operator, rpc, [run = run](auto &req, auto &res, const domain::Actor &) {
                auto trans = parseTransJson(req.body);
                if (!trans.ok())
                    return reply(res, DtmAnswer::fromStatus(trans.status()));
                reply(res, await([&](DtmService::Reply r) { run(*trans, std::move(r)); }));
            }));
    // registerXaBranch / registerTccBranch: the names older SDKs call.
    for (const char *op : {"registerBranch", "registerTccBranch", "registerXaBranch"})
        m_http->Post(base + op,
                     guarded(Role::Operator, "DTM registerBranch",
                             [this](auto &req, auto &res, const domain::Actor &) {
                                 auto branch = parseBranchJson(req.body);
                                 if (!branch.ok())
                                     return reply(res, DtmAnswer::fromStatus(branch.status()), 400);
                                 reply(res, await([&](DtmService::Reply r) {
                                           m_service.registerBranch(*branch, r);
                                       }));
                             }));
}

// query (one transaction with its branches) and all (a page of transactions).
void DtmHttpServer::routeQueries()
{
    const std::string base = kBase;
    m_http->Get(
        base + "query",
        guarded(Role::Viewer, "DTM query", [this](auto &req, auto &res, const domain::Actor &) {
            const std::string gid = req.get_param_value("gid");
            if (gid.empty())
                return reply(res, DtmAnswer::error("no gid specified"));
            auto tx = m_service.query(gid);
            if (!tx.ok())
                return reply(res, DtmAnswer::fromStatus(tx.status()));
            if (!*tx)
                return send(res, 200, {{"branches", Json::array()}, {"transaction", nullptr}});
            send(res, 200, {{"branches", branchesJson(**tx)}, {"transaction", globalJson(**tx)}});
        }));
    m_http->Get(
        base + "all",
        guarded(Role::Viewer, "DTM all",
                [this](auto &req, auto &res, const domain::Actor &) { listAll(req, res); }));
}

void DtmHttpServer::listAll(const httplib::Request &req, httplib::Response &res)
{
    const std::string gid = req.get_param_value("gid");
    if (!gid.empty()) {  // dtmsvr/api_http.go: one transaction, or null
        auto tx = m_service.query(gid);
        if (!tx.ok())
            return reply(res, DtmAnswer::fromStatus(tx.status()));
        Json list = *tx ? Json::array({globalJson(**tx)}) : Json(nullptr);
        return send(res, 200,
                    {{"next_position", req.get_param_value("position")}, {"transactions", list}});
    }
    domain::ListQuery q;
    int limit = 100;
    if (req.has_param("limit") && !absl::SimpleAtoi(req.get_param_value("limit"), &limit))
        return reply(res, DtmAnswer::error("limit: expected a whole number"));
    q.limit = std::clamp(limit, 1, 10000);
    if (req.has_param("position") && !req.get_param_value("position").empty()
        && !absl::SimpleAtoi(req.get_param_value("position"), &q.cursor))
        return reply(res, DtmAnswer::error("position: expected a next_position from before"));
    if (const std::string s = req.get_param_value("status"); !s.empty()) {
        auto status = DtmService::statusFromName(s);
        if (!status)
            return send(res, 200, {{"next_position", ""}, {"transactions", Json::array()}});
        q.statuses.push_back(*status);
    }
    if (const std::string t = req.get_param_value("transType"); !t.empty()) {
        if (t != "saga" && t != "tcc")
            return send(res, 200, {{"next_position", ""}, {"transactions", Json::array()}});
        q.types.push_back(t == "saga" ? domain::TxType::Saga : domain::TxType::Tcc);
    }
    for (auto [param, out] :
         {std::pair{"createTimeStart", &q.createdAfterMs}, {"createTimeEnd", &q.createdBeforeMs}})
        if (req.has_param(param) && !absl::SimpleAtoi(req.get_param_value(param), out))
            return reply(res, DtmAnswer::error(absl::StrCat(param, ": expected epoch ms")));
    auto page = m_service.all(q);
    if (!page.ok())
        return reply(res, DtmAnswer::fromStatus(page.status()));
    Json list = Json::array();
    for (const auto &s : page->transactions)
        list.push_back(globalJson(s));
    send(res, 200,
         {{"next_position", page->nextCursor ? std::to_string(page->nextCursor) : ""},
          {"transactions", list}});
}

// forceStop and resetNextCronTime: DTM's operator calls.
void DtmHttpServer::routeOperatorActions()
{
    const std::string base = kBase;
    auto gidOf = [](const httplib::Request &req) -> absl::StatusOr<std::string> {
        auto trans = parseTransJson(req.body);
        if (!trans.ok())
            return trans.status();
        if (trans->gid.empty())
            return absl::InvalidArgumentError("gid: required");
        return trans->gid;
    };
    m_http->Post(base + "forceStop",
                 guarded(Role::Admin, "DTM forceStop",
                         [this, gidOf](auto &req, auto &res, const domain::Actor &actor) {
                             auto gid = gidOf(req);
                             if (!gid.ok())
                                 return reply(res, DtmAnswer::fromStatus(gid.status()));
                             reply(res, await([&](DtmService::Reply r) {
                                       m_service.forceStop(*gid, actor, r);
                                   }));
                         }));
    m_http->Post(base + "resetNextCronTime",
                 guarded(Role::Operator, "DTM resetNextCronTime",
                         [this, gidOf](auto &req, auto &res, const domain::Actor &actor) {
                             auto gid = gidOf(req);
                             if (!gid.ok())
                                 return reply(res, DtmAnswer::fromStatus(gid.status()));
                             reply(res, await([&](DtmService::Reply r) {
                                       m_service.resetNextCronTime(*gid, actor, r);
                                   }));
                         }));
}

// /api/sim/NAME?…: the participant sim://NAME?… answers as an HTTP participant would.
void DtmHttpServer::routeSimBridge()
{
    auto simulated = [this](const httplib::Request &req, httplib::Response &res) {
        simulate(req, res);
    };
    m_http->Post(R"(/api/sim/([A-Za-z0-9_.-]+))", simulated);
    m_http->Get(R"(/api/sim/([A-Za-z0-9_.-]+))", simulated);
}

void DtmHttpServer::simulate(const httplib::Request &req, httplib::Response &res)
{
    engine::BranchCall call;
    std::string params;
    for (const auto &[k, v] : req.params) {
        if (k == "gid" || k == "trans_type" || k == "branch_id" || k == "op" || k == "dtm")
            continue;
        absl::StrAppend(&params, params.empty() ? "?" : "&", k, "=", v);
    }
    call.endpoint = absl::StrCat("sim://", std::string(req.matches[1]), params);
    call.gid = req.get_param_value("gid");
    call.transType = req.get_param_value("trans_type");
    call.branchId = req.get_param_value("branch_id");
    call.op = req.get_param_value("op");
    call.payload = req.body;
    auto result = std::make_shared<std::promise<engine::CallResult>>();
    auto future = result->get_future();
    m_sim->invoke(call, [result](engine::CallResult r) { result->set_value(std::move(r)); });
    if (future.wait_for(kAnswerTimeout) != std::future_status::ready)
        return send(res, 504, {{"message", "the simulated participant did not answer"}});
    const engine::CallResult r = future.get();
    switch (r.outcome) {
    case domain::AttemptOutcome::Success:
        return send(res, 200, {{"dtm_result", "SUCCESS"}});
    case domain::AttemptOutcome::Failure:
        return send(res, 409, {{"dtm_result", "FAILURE"}, {"message", r.error}});
    case domain::AttemptOutcome::Ongoing:
        return send(res, 425, {{"dtm_result", "ONGOING"}});
    case domain::AttemptOutcome::Transient:
        break;
    }
    send(res, 500, {{"message", r.error}});
}

// What DTM serves and coordinator-lite does not: refused in words DTM's clients understand.
void DtmHttpServer::routeUnsupported()
{
    const std::string base = kBase;
    // Workflow's client ignores the status and parses the body: refuse it with text that is not
    // JSON, so its Execute fails instead of going on (dtm client/workflow/rpc.go).
    m_http->Post(base + "prepareWorkflow", [](const httplib::Request &, httplib::Response &res) {
        res.status = 409;
        res.set_content("workflow transactions are not supported by coordinator-lite (SAGA and "
                        "TCC are) FAILURE",
                        "text/plain");
    });
    for (const char *op : {"subscribe", "unsubscribe", "scanKV", "queryKV", "resetCronTime"})
        m_http->Get(base + op, [op](const httplib::Request &, httplib::Response &res) {
            send(res, 409,
                 {{"dtm_result", "FAILURE"},
                  {"message",
                   absl::StrCat(op,
                                " is not supported by coordinator-lite: "
                                "topics and the KV store belong to msg "
                                "transactions, which it does not run "
                                "FAILURE")}});
        });
}

absl::StatusOr<std::string> DtmHttpServer::start(const std::string &listen,
                                                 const std::string &tlsCert,
                                                 const std::string &tlsKey)
{
    auto listener = net::HttpListener::create(tlsCert, tlsKey);
    if (!listener.ok())
        return absl::InvalidArgumentError(absl::StrCat("DTM API: ", listener.status().message()));
    m_listener = std::move(*listener);
    m_http = &m_listener->server();
    // Each request waits for the engine's answer: enough workers that waiting callers do not
    // hold up the others; httplib keeps a pool thread per kept-alive connection: room for many
    // SDK clients.
    m_http->new_task_queue = [] { return new httplib::ThreadPool(256); };
    m_http->set_payload_max_length(8 * 1024 * 1024);
    m_http->set_keep_alive_max_count(100000);  // SDK clients keep their connection
    m_http->set_tcp_nodelay(true);  // small answers on kept-alive connections: no Nagle delay
    routes();
    return m_listener->listen(listen, "--dtm-listen");
}

void DtmHttpServer::stop()
{
    if (m_listener)
        m_listener->stop();
}

}  // namespace coord::dtm
