#pragma once

#include "httptransport.h"

#include "net/httpsyntax.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// HTTP/1.1 on the wire, for the coordinator's own plain-http client (plainhttptransport.h): the
// URL of a call, the request's bytes, and an incremental response parser. No sockets here.
namespace coord::invokers::http {

// RFC 3986: everything but ALPHA DIGIT - . _ ~ as %XX (what curl_easy_escape does).
std::string percentEncode(std::string_view text);

// An http:// URL this client serves itself; anything else (https, user:password@, no host) is
// nullopt and goes to libcurl.
struct PlainUrl {
    std::string host;  // without brackets for IPv6
    uint16_t port = 80;
    std::string target;      // path and query, at least "/"
    std::string hostHeader;  // as the Host header wants it
};
std::optional<PlainUrl> parsePlainUrl(std::string_view url);

// Where a redirect's Location points, from the URL that answered it.
std::string resolveLocation(std::string_view base, std::string_view location);

// Authorization, Cookie and the like: not sent on to another host by a redirect.
bool credentialHeader(std::string_view name);

// The request's bytes; "" and `error` set when a header would break the framing (a line break
// in a name or value).
std::string serialize(const Request &request, const PlainUrl &url, std::string *error);

// Feeds on what the socket gives, in any slicing; complete once the whole response is in.
class ResponseParser
{
public:
    enum class State { NeedMore, Complete, Invalid };

    // `bytes` consumed; `*used` says how many (less than all once complete: bytes after the
    // response mean the connection cannot be reused).
    State feed(const char *bytes, size_t size, size_t *used);
    // The peer closed: completes a response delimited by the close, otherwise Invalid.
    State closed();

    long status() const { return m_status; }
    const std::string &body() const { return m_body.body(); }
    const std::string &error() const { return m_error; }
    bool keepAlive() const { return m_keepAlive; }
    bool started() const { return m_started; }
    const std::string &location() const { return m_location; }

private:
    enum class Phase { Head, Body, Done };
    State fail(std::string why);
    State headComplete();

    Phase m_phase = Phase::Head;
    std::string m_head;  // the head so far (status line and headers)
    net::http::BodyReader m_body;
    std::string m_error;
    std::string m_location;
    long m_status = 0;
    bool m_keepAlive = true;
    bool m_started = false;
};

}  // namespace coord::invokers::http
