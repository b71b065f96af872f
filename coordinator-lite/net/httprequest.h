#pragma once

#include "httpsyntax.h"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// A request to the coordinator's HTTP server (httpserver.h), its answer, and the parser that
// reads one off the wire. No sockets here.
namespace coord::net {

struct HttpRequest {
    std::string method;                              // as sent: GET, POST, ...
    std::string path;                                // percent-decoded, without the query
    std::multimap<std::string, std::string> params;  // the query, decoded ('+' is a space)
    std::vector<std::pair<std::string, std::string>> headers;  // names as sent
    std::string body;
    std::string remoteAddr;  // the peer's address, without its port
    bool keepAlive = true;   // the connection stays open after the answer
    bool http10 = false;

    std::string header(std::string_view name) const;  // the first of that name, or ""
    std::string param(std::string_view name) const;   // the first of that name, or ""
    bool hasParam(std::string_view name) const { return params.count(std::string(name)) > 0; }
};

struct HttpResponse {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // besides the framing's
};

// How a handler answers: once, from any thread, now or later. A request whose every responder
// is gone unanswered gets 500, so a lost answer never leaves a client waiting.
class HttpResponder
{
public:
    using Send = std::function<void(HttpResponse)>;
    explicit HttpResponder(Send send);
    void operator()(HttpResponse response) const;

private:
    struct Once {
        Send send;
        std::atomic<bool> answered{false};
        ~Once();
    };
    std::shared_ptr<Once> m_once;
};

// "HTTP/1.1 200 OK" and the headers, Content-Length framed; `keepAlive` false adds
// Connection: close, true on an HTTP/1.0 request Connection: keep-alive. `headOnly` (the answer
// to HEAD): the headers a GET would get, without the body.
std::string serializeResponse(const HttpResponse &response, bool keepAlive, bool http10,
                              bool headOnly = false);

// %XX decoded; with `plusIsSpace` (a query) '+' too. A malformed escape stays as it is.
std::string percentDecode(std::string_view text, bool plusIsSpace);

// Requests off one connection, fed as the socket gives them, in any slicing.
class RequestParser
{
public:
    enum class State { NeedMore, Complete, Invalid };
    explicit RequestParser(size_t maxBody = 8 * 1024 * 1024) : m_maxBody(maxBody) {}

    // Consumes from `bytes`; `*used` says how many (on Complete, the rest belongs to the next
    // request: feed it again after take()).
    State feed(const char *bytes, size_t size, size_t *used);
    // The complete request; the parser is then ready for the next one.
    HttpRequest take();

    bool started() const { return m_phase != Phase::Head || !m_head.empty(); }
    // The client waits for "100 Continue" before it sends the body (Expect: 100-continue).
    bool wantsContinue() const { return m_phase == Phase::Body && m_expectContinue; }
    // For Invalid: what to answer (400, 413, 417, 431, 501, 505) and why.
    int errorStatus() const { return m_errorStatus; }
    const std::string &error() const { return m_error; }

private:
    enum class Phase { Head, Body, Done };
    State fail(int status, std::string why);
    State headComplete();
    State requestLine(std::string_view line);
    State headerLine(std::string_view line, std::optional<uint64_t> *length, bool *chunked);

    const size_t m_maxBody;
    Phase m_phase = Phase::Head;
    std::string m_head;
    HttpRequest m_request;
    http::BodyReader m_body;
    bool m_keepAlive = true;
    bool m_http10 = false;
    bool m_expectContinue = false;
    int m_errorStatus = 0;
    std::string m_error;
};

}  // namespace coord::net
