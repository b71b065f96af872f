#pragma once

#include <absl/status/statusor.h>

#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace coord::net {

// An httplib server on its own thread: the metrics endpoint and DTM's HTTP API both serve
// through one. Routes go on server() before listen().
class HttpListener
{
public:
    // Plaintext, or HTTPS with a certificate and key (PEM files).
    static absl::StatusOr<std::unique_ptr<HttpListener>> create(const std::string &tlsCert = {},
                                                                const std::string &tlsKey = {});
    ~HttpListener();

    httplib::Server &server() { return *m_server; }
    // Binds HOST:PORT (port 0 = a free one) and serves; returns "host:port". `flag` names the
    // option in errors (--dtm-listen).
    absl::StatusOr<std::string> listen(const std::string &address, const std::string &flag);
    void stop();  // waits for the requests under way

private:
    explicit HttpListener(std::unique_ptr<httplib::Server> server);

    std::unique_ptr<httplib::Server> m_server;
    std::thread m_thread;
};

}  // namespace coord::net
