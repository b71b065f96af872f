#include "httpinvoker.h"

#include "httpwire.h"
#include "responseclassifier.h"

#include <cstdlib>

namespace coord::invokers {

bool HttpInvoker::proxyInEnvironment()
{
    // libcurl's own reading: lowercase http_proxy only (HTTP_PROXY may come from a CGI request's
    // Proxy header), then all_proxy in either case.
    for (const char *name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
        const char *value = std::getenv(name);
        if (value && *value)
            return true;
    }
    return false;
}

HttpInvoker::HttpInvoker(long maxConnectionsPerHost)
    : m_viaProxy(proxyInEnvironment()),
      m_curl(maxConnectionsPerHost),
      m_plain(m_curl, static_cast<size_t>(std::max(1L, maxConnectionsPerHost)))
{}

void HttpInvoker::invoke(engine::BranchCall call, Done done)
{
    http::Request request;
    request.url = std::move(call.endpoint);
    request.url += request.url.find('?') == std::string::npos ? '?' : '&';
    request.url += "gid=" + http::percentEncode(call.gid) + "&trans_type="
        + http::percentEncode(call.transType) + "&branch_id=" + http::percentEncode(call.branchId)
        + "&op=" + http::percentEncode(call.op);
    // As DTM: a call without a body is a GET (dtmsvr/trans_status.go,
    // determineHTTPRequestMethod).
    request.post = !call.payload.empty();
    request.body = std::move(call.payload);
    request.headers.assign(call.headers.begin(), call.headers.end());
    request.timeoutMs = call.timeoutMs;
    auto answered = [done = std::move(done)](http::Response response) {
        done(classifyHttp(response.status, response.body, response.transportError));
    };
    if (!m_viaProxy && http::parsePlainUrl(request.url))
        m_plain.send(std::move(request), std::move(answered));
    else
        m_curl.send(std::move(request), std::move(answered));
}

}  // namespace coord::invokers
