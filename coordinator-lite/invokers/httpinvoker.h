#pragma once

#include "curltransport.h"
#include "engine/branchinvoker.h"
#include "plainhttptransport.h"

namespace coord::invokers {

// HTTP(S) participants, DTM's way: the call's gid, trans_type, branch_id and op in the query, the
// payload as a JSON POST (no payload: a GET), the answer classified as DTM does. http:// goes
// through the coordinator's own HTTP/1.1 client, https:// through libcurl, and so does http://
// when the environment names a proxy for it (http_proxy, all_proxy, ALL_PROXY: libcurl then
// applies it and no_proxy, as DTM's Go client honours HTTP_PROXY and NO_PROXY).
class HttpInvoker : public engine::BranchInvoker
{
public:
    explicit HttpInvoker(long maxConnectionsPerHost = 64);

    void invoke(engine::BranchCall call, Done done) override;

    // Whether libcurl would send plain-http calls through a proxy, from the process environment.
    static bool proxyInEnvironment();

private:
    bool m_viaProxy;
    http::CurlTransport m_curl;  // declared first: the plain transport hands redirects to it
    http::PlainHttpTransport m_plain;
};

}  // namespace coord::invokers
