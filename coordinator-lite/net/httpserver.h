#pragma once

#include "httprequest.h"

#include <absl/status/statusor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace coord::net {

struct HttpServerOptions {
    int loops = 2;                     // epoll loops (threads); connections are spread over them
    size_t maxConnections = 10'000;    // beyond: a new connection is closed at once
    size_t maxBody = 8 * 1024 * 1024;  // a longer request body gets 413
    int64_t idleMs = 300'000;          // a kept-alive connection with no request is closed after
    int64_t requestMs = 30'000;        // a request begun must be in by then (408 otherwise)
    std::string threadName = "http";   // the loops are "<name>-0", "<name>-1", ...
};

// The coordinator's own HTTP/1.1 server, for DTM's HTTP API (plaintext; HTTPS goes through
// httplib, httplistener.h): connections kept alive on a few epoll loops, a request read and
// parsed on its loop and handed to the handler there, its answer written by whichever thread
// gives it, in one send, with no hand-off back to the loop. One request at a time per
// connection; pipelined ones wait in order.
class HttpServer
{
public:
    // Runs on a loop thread: it must not block (hand slow work to another thread and answer
    // from there).
    using Handler = std::function<void(HttpRequest, HttpResponder)>;

    explicit HttpServer(Handler handler, HttpServerOptions options = {});
    ~HttpServer();

    // Binds HOST:PORT (port 0 = a free one) and serves; returns "host:port". `flag` names the
    // option in errors (--dtm-listen).
    absl::StatusOr<std::string> listen(const std::string &address, const std::string &flag);
    // Closes the listener and every connection; an answer given after it goes nowhere.
    void stop();

    size_t connections() const;  // open now

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace coord::net
