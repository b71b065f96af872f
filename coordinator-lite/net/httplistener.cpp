#include "httplistener.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <httplib.h>

namespace coord::net {

absl::StatusOr<std::unique_ptr<HttpListener>> HttpListener::create(const std::string &tlsCert,
                                                                   const std::string &tlsKey)
{
    if (tlsCert.empty())
        return std::unique_ptr<HttpListener>(new HttpListener(std::make_unique<httplib::Server>()));
    auto tls = std::make_unique<httplib::SSLServer>(tlsCert.c_str(), tlsKey.c_str());
    if (!tls->is_valid())
        return absl::InvalidArgumentError(
            absl::StrCat("cannot use the TLS certificate ", tlsCert, " and key ", tlsKey));
    return std::unique_ptr<HttpListener>(new HttpListener(std::move(tls)));
}

HttpListener::HttpListener(std::unique_ptr<httplib::Server> server) : m_server(std::move(server)) {}

HttpListener::~HttpListener() { stop(); }

absl::StatusOr<std::string> HttpListener::listen(const std::string &address,
                                                 const std::string &flag)
{
    const size_t colon = address.rfind(':');
    int port = 0;
    if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)
        || port < 0 || port > 65535)
        return absl::InvalidArgumentError(absl::StrCat(flag, " ", address, ": expected HOST:PORT"));
    const std::string host = address.substr(0, colon);
    const int bound = port == 0 ? m_server->bind_to_any_port(host)
                                : (m_server->bind_to_port(host, port) ? port : -1);
    if (bound <= 0)
        return absl::UnavailableError(absl::StrCat(flag, ": cannot listen on ", address));
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
    return absl::StrCat(host, ":", bound);
}

void HttpListener::stop()
{
    m_server->stop();
    if (m_thread.joinable())
        m_thread.join();
}

}  // namespace coord::net
