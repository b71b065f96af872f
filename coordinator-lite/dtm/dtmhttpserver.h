#pragma once

#include "domain/operator.h"

#include <absl/status/statusor.h>

#include <functional>
#include <memory>
#include <string>

namespace coord::api {
class AccessGuard;
}
namespace coord::net {
class HttpListener;
class HttpRouter;
class HttpServer;
class HttpResponder;
struct HttpRequest;
struct HttpResponse;
}  // namespace coord::net
namespace coord::engine {
class BranchInvoker;
}

namespace coord::dtm {

class DtmService;

// DTM's HTTP server API under /api/dtmsvr (dtmsvr/api_http.go), so services written with dtm's
// SDK only change their DtmServer URL. Answers exactly as DTM's WrapHandler2: 200 with
// {"dtm_result":"SUCCESS"} or the object, 409 FAILURE, 425 ONGOING, 500 {"message"}.
// Credentials: HTTP Basic (what Go sends for http://user:TOKEN@host/… URLs) or a Bearer token,
// mapped to roles like the gRPC API's tokens. Plain HTTP is served by the coordinator's own
// server (net/httpserver.h: an answer is written by the engine's thread the moment it is
// decided); HTTPS by httplib, through the same routes.
class DtmHttpServer
{
public:
    // `sim`, when given, also answers /api/sim/NAME?… as the participant sim://NAME?… would:
    // how a DTM client calls a simulated TCC try itself (the designer's Go export).
    DtmHttpServer(DtmService &service, api::AccessGuard &guard, std::string version,
                  engine::BranchInvoker *sim = nullptr);
    ~DtmHttpServer();

    // Binds (port 0 = a free one) and serves on its own threads; returns "host:port". With a
    // certificate and key (PEM files), HTTPS: a client's DtmServer is then https://….
    absl::StatusOr<std::string> start(const std::string &listen, const std::string &tlsCert = {},
                                      const std::string &tlsKey = {});
    void stop();

private:
    using Handler = std::function<void(const net::HttpRequest &, net::HttpResponder)>;
    using ActorHandler =
        std::function<void(const net::HttpRequest &, net::HttpResponder, const domain::Actor &)>;
    Handler guarded(domain::Role role, const char *rpc, ActorHandler handler);
    void routes();
    void routeServiceAndTransactions();
    void routeQueries();
    void routeOperatorActions();
    void routeSimBridge();
    void routeUnsupported();
    net::HttpResponse listAll(const net::HttpRequest &req);
    void simulate(const net::HttpRequest &req, net::HttpResponder respond);

    DtmService &m_service;
    api::AccessGuard &m_guard;
    std::string m_version;
    engine::BranchInvoker *m_sim = nullptr;
    std::unique_ptr<net::HttpRouter> m_router;
    std::unique_ptr<net::HttpServer> m_plain;       // http://
    std::unique_ptr<net::HttpListener> m_listener;  // https://
};

}  // namespace coord::dtm
