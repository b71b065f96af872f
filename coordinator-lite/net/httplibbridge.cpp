#include "httplibbridge.h"

#include "httprouter.h"

#include <httplib.h>

#include <future>
#include <memory>

namespace coord::net {

void routeThroughHttplib(httplib::Server &server, HttpRouter &router)
{
    auto bridge = [&router](const httplib::Request &req, httplib::Response &res) {
        HttpRequest request;
        request.method = req.method;
        request.path = req.path;
        request.params.insert(req.params.begin(), req.params.end());
        for (const auto &[name, value] : req.headers)
            request.headers.emplace_back(name, value);
        request.body = req.body;
        request.remoteAddr = req.remote_addr;
        auto answer = std::make_shared<std::promise<HttpResponse>>();
        auto future = answer->get_future();
        router.handle(std::move(request),
                      HttpResponder([answer](HttpResponse r) { answer->set_value(std::move(r)); }));
        HttpResponse response = future.get();
        res.status = response.status;
        for (const auto &[name, value] : response.headers)
            res.set_header(name, value);
        res.set_content(response.body, response.contentType);
    };
    server.Get(".*", bridge);
    server.Post(".*", bridge);
    server.Put(".*", bridge);
    server.Patch(".*", bridge);
    server.Delete(".*", bridge);
}

}  // namespace coord::net
