#include "dtmhttpserver.h"

#include "net/httplibbridge.h"
#include "net/httplistener.h"
#include "net/httprouter.h"
#include "net/httpserver.h"

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
#include <optional>
#include <tuple>

namespace coord::dtm {

using Json = nlohmann::json;
using domain::Role;
using net::HttpRequest;
using net::HttpResponder;
using net::HttpResponse;
using Run = net::HttpRouter::Run;

namespace {

constexpr const char *kBase = "/api/dtmsvr/";

HttpResponse json(int status, const Json &body)
{
    // A participant's answer may hold bytes that are not UTF-8: replaced, as Go's encoder does.
    return {
        status, "application/json", body.dump(-1, ' ', false, Json::error_handler_t::replace), {}};
}

// One answer on the wire (dtmutil/utils.go WrapHandler2); `invalidStatus` is what a malformed
// body gets: 500 as DTM's handlers, 400 for registerBranch (gin's BindJSON).
HttpResponse answerOf(const DtmAnswer &a, int invalidStatus = 500)
{
    switch (a.kind) {
    case DtmAnswer::Kind::Success:
        return json(200, {{"dtm_result", "SUCCESS"}});
    case DtmAnswer::Kind::Failure:
        return json(409, {{"dtm_result", "FAILURE"}, {"message", a.failureText()}});
    case DtmAnswer::Kind::Ongoing:
        return json(425, {{"dtm_result", "ONGOING"}, {"message", a.message}});
    case DtmAnswer::Kind::Invalid:
        return json(invalidStatus, {{"message", a.message}});
    case DtmAnswer::Kind::Unauthenticated: {
        HttpResponse r = json(401, {{"message", a.message}});
        r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"coordinator-lite\"");
        return r;
    }
    case DtmAnswer::Kind::PermissionDenied:
        return json(403, {{"message", a.message}});
    case DtmAnswer::Kind::Unavailable:
        return json(503, {{"message", a.message}});
    case DtmAnswer::Kind::Error:
        break;
    }
    return json(500, {{"message", a.message}});
}

// The engine's answer, whenever it comes, as the client's.
DtmService::Reply replyTo(HttpResponder respond, int invalidStatus = 500)
{
    return [respond, invalidStatus](DtmAnswer a) { respond(answerOf(a, invalidStatus)); };
}

// Basic credentials (user:TOKEN, or TOKEN: alone) or a Bearer token.
std::optional<std::string> tokenOf(const HttpRequest &req)
{
    const std::string auth = req.header("Authorization");
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

}  // namespace

DtmHttpServer::DtmHttpServer(DtmService &service, api::AccessGuard &guard, std::string version,
                             engine::BranchInvoker *sim)
    : m_service(service),
      m_guard(guard),
      m_version(std::move(version)),
      m_sim(sim),
      m_router(std::make_unique<net::HttpRouter>())
{
    routes();
}

DtmHttpServer::~DtmHttpServer() { stop(); }

DtmHttpServer::Handler DtmHttpServer::guarded(Role role, const char *rpc, ActorHandler handler)
{
    // Who may call it, then what it does.
    return [this, role, rpc, handler = std::move(handler)](const HttpRequest &req,
                                                           HttpResponder respond) {
        const std::optional<std::string> token = tokenOf(req);
        auto actor = m_guard.checkToken(token ? &*token : nullptr, req.remoteAddr, role, rpc);
        if (!actor.ok())
            return respond(answerOf(DtmAnswer::fromStatus(actor.status())));
        handler(req, std::move(respond), *actor);
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

// ping, version, newGid; prepare, submit, abort and branch registration: answered from the
// thread that read the request, or later from the engine's. Their store read runs there too,
// unless it waits on a database server (PostgreSQL): then on the router's workers.
void DtmHttpServer::routeServiceAndTransactions()
{
    const std::string base = kBase;
    auto &r = *m_router;
    const Run storeRead = m_service.readsBlock() ? Run::OnWorker : Run::Inline;
    r.add("GET", "/api/ping", Run::Inline, [](const HttpRequest &, HttpResponder respond) {
        respond(json(200, {{"msg", "pong"}}));
    });
    r.add("GET", base + "version", Run::Inline, [this](const HttpRequest &, HttpResponder respond) {
        respond(json(200, {{"version", m_version}}));
    });
    r.add("GET", base + "newGid", Run::Inline,
          guarded(Role::Viewer, "DTM newGid", [this](auto &, HttpResponder respond, auto &) {
              // Strings only: MustGenGid decodes map[string]string.
              respond(json(200, {{"gid", m_service.newGid().gid}, {"dtm_result", "SUCCESS"}}));
          }));
    // prepare, submit, abort: DTM's TransGlobal body, one use-case each.
    using Start = std::function<void(const DtmTrans &, DtmService::Reply)>;
    const std::tuple<const char *, const char *, Start> transRoutes[] = {
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
    for (const auto &[op, rpc, start] : transRoutes)
        r.add(
            "POST", base + op, storeRead,
            guarded(Role::Operator, rpc, [start = start](auto &req, HttpResponder respond, auto &) {
                auto trans = parseTransJson(req.body);
                if (!trans.ok())
                    return respond(answerOf(DtmAnswer::fromStatus(trans.status())));
                start(*trans, replyTo(std::move(respond)));
            }));
    // registerXaBranch / registerTccBranch: the names older SDKs call.
    for (const char *op : {"registerBranch", "registerTccBranch", "registerXaBranch"})
        r.add("POST", base + op, storeRead,
              guarded(Role::Operator, "DTM registerBranch",
                      [this](auto &req, HttpResponder respond, auto &) {
                          auto branch = parseBranchJson(req.body);
                          if (!branch.ok())
                              return respond(answerOf(DtmAnswer::fromStatus(branch.status()), 400));
                          m_service.registerBranch(*branch, replyTo(std::move(respond)));
                      }));
}

// query (one transaction with its branches) and all (a page of transactions): store reads, on
// the router's workers.
void DtmHttpServer::routeQueries()
{
    const std::string base = kBase;
    m_router->add(
        "GET", base + "query", Run::OnWorker,
        guarded(Role::Viewer, "DTM query", [this](auto &req, HttpResponder respond, auto &) {
            const std::string gid = req.param("gid");
            if (gid.empty())
                return respond(answerOf(DtmAnswer::error("no gid specified")));
            auto tx = m_service.query(gid);
            if (!tx.ok())
                return respond(answerOf(DtmAnswer::fromStatus(tx.status())));
            if (!*tx)
                return respond(json(200, {{"branches", Json::array()}, {"transaction", nullptr}}));
            respond(
                json(200, {{"branches", branchesJson(**tx)}, {"transaction", globalJson(**tx)}}));
        }));
    m_router->add(
        "GET", base + "all", Run::OnWorker,
        guarded(Role::Viewer, "DTM all",
                [this](auto &req, HttpResponder respond, auto &) { respond(listAll(req)); }));
}

HttpResponse DtmHttpServer::listAll(const HttpRequest &req)
{
    const std::string gid = req.param("gid");
    if (!gid.empty()) {  // dtmsvr/api_http.go: one transaction, or null
        auto tx = m_service.query(gid);
        if (!tx.ok())
            return answerOf(DtmAnswer::fromStatus(tx.status()));
        Json list = *tx ? Json::array({globalJson(**tx)}) : Json(nullptr);
        return json(200, {{"next_position", req.param("position")}, {"transactions", list}});
    }
    domain::ListQuery q;
    int limit = 100;
    if (req.hasParam("limit") && !absl::SimpleAtoi(req.param("limit"), &limit))
        return answerOf(DtmAnswer::error("limit: expected a whole number"));
    q.limit = std::clamp(limit, 1, 10000);
    if (!req.param("position").empty() && !absl::SimpleAtoi(req.param("position"), &q.cursor))
        return answerOf(DtmAnswer::error("position: expected a next_position from before"));
    if (const std::string s = req.param("status"); !s.empty()) {
        auto status = DtmService::statusFromName(s);
        if (!status)
            return json(200, {{"next_position", ""}, {"transactions", Json::array()}});
        q.statuses.push_back(*status);
    }
    if (const std::string t = req.param("transType"); !t.empty()) {
        if (t != "saga" && t != "tcc")
            return json(200, {{"next_position", ""}, {"transactions", Json::array()}});
        q.types.push_back(t == "saga" ? domain::TxType::Saga : domain::TxType::Tcc);
    }
    for (auto [param, out] :
         {std::pair{"createTimeStart", &q.createdAfterMs}, {"createTimeEnd", &q.createdBeforeMs}})
        if (req.hasParam(param) && !absl::SimpleAtoi(req.param(param), out))
            return answerOf(DtmAnswer::error(absl::StrCat(param, ": expected epoch ms")));
    auto page = m_service.all(q);
    if (!page.ok())
        return answerOf(DtmAnswer::fromStatus(page.status()));
    Json list = Json::array();
    for (const auto &s : page->transactions)
        list.push_back(globalJson(s));
    return json(200,
                {{"next_position", page->nextCursor ? std::to_string(page->nextCursor) : ""},
                 {"transactions", list}});
}

// forceStop and resetNextCronTime: DTM's operator calls (they read the store first: workers).
void DtmHttpServer::routeOperatorActions()
{
    const std::string base = kBase;
    using Act = void (DtmService::*)(const std::string &, const domain::Actor &, DtmService::Reply);
    const std::tuple<const char *, Role, const char *, Act> actions[] = {
        {"forceStop", Role::Admin, "DTM forceStop", &DtmService::forceStop},
        {"resetNextCronTime", Role::Operator, "DTM resetNextCronTime",
         &DtmService::resetNextCronTime},
    };
    for (const auto &[op, role, rpc, act] : actions)
        m_router->add(
            "POST", base + op, Run::OnWorker,
            guarded(
                role, rpc,
                [this, act = act](auto &req, HttpResponder respond, const domain::Actor &actor) {
                    auto trans = parseTransJson(req.body);
                    if (trans.ok() && trans->gid.empty())
                        trans = absl::InvalidArgumentError("gid: required");
                    if (!trans.ok())
                        return respond(answerOf(DtmAnswer::fromStatus(trans.status())));
                    (m_service.*act)(trans->gid, actor, replyTo(std::move(respond)));
                }));
}

// /api/sim/NAME?…: the participant sim://NAME?… answers as an HTTP participant would.
void DtmHttpServer::routeSimBridge()
{
    for (const char *method : {"POST", "GET"})
        m_router->addPrefix(method, "/api/sim/", Run::OnWorker,
                            [this](const HttpRequest &req, HttpResponder respond) {
                                simulate(req, std::move(respond));
                            });
}

void DtmHttpServer::simulate(const HttpRequest &req, HttpResponder respond)
{
    const std::string name = req.path.substr(std::string_view("/api/sim/").size());
    if (name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
        != std::string::npos)
        return respond(json(404, {{"message", "no simulated participant of that name"}}));
    engine::BranchCall call;
    std::string params;
    for (const auto &[k, v] : req.params) {
        if (k == "gid" || k == "trans_type" || k == "branch_id" || k == "op" || k == "dtm")
            continue;
        absl::StrAppend(&params, params.empty() ? "?" : "&", k, "=", v);
    }
    call.endpoint = absl::StrCat("sim://", name, params);
    call.gid = req.param("gid");
    call.transType = req.param("trans_type");
    call.branchId = req.param("branch_id");
    call.op = req.param("op");
    call.payload = req.body;
    m_sim->invoke(call, [respond = std::move(respond)](engine::CallResult r) {
        switch (r.outcome) {
        case domain::AttemptOutcome::Success:
            return respond(json(200, {{"dtm_result", "SUCCESS"}}));
        case domain::AttemptOutcome::Failure:
            return respond(json(409, {{"dtm_result", "FAILURE"}, {"message", r.error}}));
        case domain::AttemptOutcome::Ongoing:
            return respond(json(425, {{"dtm_result", "ONGOING"}}));
        case domain::AttemptOutcome::Transient:
            break;
        }
        respond(json(500, {{"message", r.error}}));
    });
}

// What DTM serves and coordinator-lite does not: refused in words DTM's clients understand.
void DtmHttpServer::routeUnsupported()
{
    const std::string base = kBase;
    // Workflow's client ignores the status and parses the body: refuse it with text that is not
    // JSON, so its Execute fails instead of going on (dtm client/workflow/rpc.go).
    m_router->add("POST", base + "prepareWorkflow", Run::Inline,
                  [](const HttpRequest &, HttpResponder respond) {
                      respond({409,
                               "text/plain",
                               "workflow transactions are not supported by coordinator-lite "
                               "(SAGA and TCC are) FAILURE",
                               {}});
                  });
    for (const char *op : {"subscribe", "unsubscribe", "scanKV", "queryKV", "resetCronTime"})
        m_router->add("GET", base + op, Run::Inline,
                      [op](const HttpRequest &, HttpResponder respond) {
                          respond(json(409,
                                       {{"dtm_result", "FAILURE"},
                                        {"message",
                                         absl::StrCat(op,
                                                      " is not supported by "
                                                      "coordinator-lite: topics "
                                                      "and the KV store belong to "
                                                      "msg transactions, which it "
                                                      "does not run FAILURE")}}));
                      });
}

absl::StatusOr<std::string> DtmHttpServer::start(const std::string &listen,
                                                 const std::string &tlsCert,
                                                 const std::string &tlsKey)
{
    if (tlsCert.empty()) {
        net::HttpServerOptions options;
        options.threadName = "dtm-http";
        m_plain = std::make_unique<net::HttpServer>(
            [this](HttpRequest request, HttpResponder respond) {
                m_router->handle(std::move(request), std::move(respond));
            },
            options);
        return m_plain->listen(listen, "--dtm-listen");
    }
    auto listener = net::HttpListener::create(tlsCert, tlsKey);
    if (!listener.ok())
        return absl::InvalidArgumentError(absl::StrCat("DTM API: ", listener.status().message()));
    m_listener = std::move(*listener);
    httplib::Server &https = m_listener->server();
    // Each request waits for the engine's answer: enough workers that waiting callers do not
    // hold up the others; httplib keeps a pool thread per kept-alive connection: room for many
    // SDK clients.
    https.new_task_queue = [] { return new httplib::ThreadPool(256); };
    https.set_payload_max_length(8 * 1024 * 1024);
    https.set_keep_alive_max_count(100000);  // SDK clients keep their connection
    https.set_tcp_nodelay(true);  // small answers on kept-alive connections: no Nagle delay
    net::routeThroughHttplib(https, *m_router);
    return m_listener->listen(listen, "--dtm-listen");
}

void DtmHttpServer::stop()
{
    if (m_plain)
        m_plain->stop();
    if (m_listener)
        m_listener->stop();
}

}  // namespace coord::dtm
