#include "httprequest.h"

#include <cstring>

namespace coord::net {

using http::iequals;
using http::shown;
using http::trimmed;

namespace {

const char *reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 417:
        return "Expectation Failed";
    case 425:
        return "Too Early";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void parseQuery(std::string_view query, std::multimap<std::string, std::string> *params)
{
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty())
            continue;
        size_t eq = pair.find('=');
        params->emplace(percentDecode(pair.substr(0, eq), true),
                        eq == std::string_view::npos ? std::string()
                                                     : percentDecode(pair.substr(eq + 1), true));
    }
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const
{
    for (const auto &[n, v] : headers)
        if (iequals(n, name))
            return v;
    return {};
}

std::string HttpRequest::param(std::string_view name) const
{
    auto it = params.find(std::string(name));
    return it == params.end() ? std::string() : it->second;
}

HttpResponder::HttpResponder(Send send) : m_once(std::make_shared<Once>())
{
    m_once->send = std::move(send);
}

void HttpResponder::operator()(HttpResponse response) const
{
    if (!m_once->answered.exchange(true))
        m_once->send(std::move(response));
}

HttpResponder::Once::~Once()
{
    if (!answered.exchange(true))
        send({500,
              "application/json",
              R"({"message":"the coordinator dropped this request without an answer"})",
              {}});
}

std::string serializeResponse(const HttpResponse &response, bool keepAlive, bool http10,
                              bool headOnly)
{
    std::string out;
    out.reserve(128 + response.body.size());
    out += http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out += std::to_string(response.status);
    out += ' ';
    out += reason(response.status);
    out += "\r\nContent-Type: ";
    out += response.contentType;
    out += "\r\nContent-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
    for (const auto &[name, value] : response.headers)
        if (http::headerName(name) && http::headerValue(value))
            out += name + ": " + value + "\r\n";
    if (!keepAlive)
        out += "Connection: close\r\n";
    else if (http10)
        out += "Connection: keep-alive\r\n";
    out += "\r\n";
    if (!headOnly)
        out += response.body;
    return out;
}

std::string percentDecode(std::string_view text, bool plusIsSpace)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0
            && hexValue(text[i + 2]) >= 0) {
            out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
            i += 2;
        } else {
            out += plusIsSpace && c == '+' ? ' ' : c;
        }
    }
    return out;
}

RequestParser::State RequestParser::fail(int status, std::string why)
{
    m_errorStatus = status;
    m_error = std::move(why);
    m_keepAlive = false;
    m_phase = Phase::Done;
    return State::Invalid;
}

RequestParser::State RequestParser::requestLine(std::string_view line)
{
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        return fail(400, "not an HTTP request (it began \"" + shown(line) + "\")");
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (!http::headerName(method))
        return fail(400, "not an HTTP method: \"" + shown(method) + "\"");
    if (version == "HTTP/1.0")
        m_http10 = true;
    else if (version != "HTTP/1.1")
        return fail(version.starts_with("HTTP/") ? 505 : 400,
                    "HTTP/1.1 or HTTP/1.0 only (the request says \"" + shown(version) + "\")");
    m_keepAlive = !m_http10;
    if (target.starts_with("http://") || target.starts_with("https://")) {  // absolute-form
        size_t slash = target.find('/', target.find("//") + 2);
        target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
    if (target.empty() || target.front() != '/')
        return fail(400, "a request target must be a path (it is \"" + shown(target) + "\")");
    target = target.substr(0, target.find('#'));
    size_t question = target.find('?');
    m_request.method = std::string(method);
    m_request.path = percentDecode(target.substr(0, question), false);
    if (question != std::string_view::npos)
        parseQuery(target.substr(question + 1), &m_request.params);
    return State::NeedMore;
}

RequestParser::State RequestParser::headerLine(std::string_view line,
                                               std::optional<uint64_t> *length, bool *chunked)
{
    if (line.front() == ' ' || line.front() == '\t')
        return fail(400, "a folded header line (obsolete in HTTP/1.1)");
    size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? line : line.substr(0, colon);
    if (colon == std::string_view::npos || !http::headerName(name))
        return fail(400, "a bad header line (\"" + shown(line) + "\")");
    std::string_view value = trimmed(line.substr(colon + 1));
    if (!http::headerValue(value))
        return fail(400, "a control character in the header " + shown(name));
    if (iequals(name, "Content-Length")) {
        uint64_t n = 0;
        if (!http::toNumber(value, &n) || (*length && **length != n))
            return fail(400, "a bad Content-Length (\"" + shown(value) + "\")");
        *length = n;
    } else if (iequals(name, "Transfer-Encoding")) {
        // chunked alone: a body still compressed under it is not what handlers take.
        *chunked = iequals(value, "chunked");
        if (!*chunked)
            return fail(
                501, "a transfer encoding this server does not decode (\"" + shown(value) + "\")");
    } else if (iequals(name, "Connection")) {
        if (http::icontains(value, "close"))
            m_keepAlive = false;
        else if (http::icontains(value, "keep-alive"))
            m_keepAlive = true;
    } else if (iequals(name, "Expect")) {
        if (!iequals(value, "100-continue"))
            return fail(417, "an expectation this server does not meet (\"" + shown(value) + "\")");
        m_expectContinue = !m_http10;  // an HTTP/1.0 client is never sent an interim answer
    }
    m_request.headers.emplace_back(std::string(name), std::string(value));
    return State::NeedMore;
}

RequestParser::State RequestParser::headComplete()
{
    std::optional<uint64_t> length;
    bool chunked = false;
    bool first = true;
    State state = State::NeedMore;
    http::forEachLine(m_head, [&](std::string_view line) {
        if (state != State::NeedMore || line.empty())
            return;
        state = first ? requestLine(line) : headerLine(line, &length, &chunked);
        first = false;
    });
    m_head.clear();
    if (state != State::NeedMore)
        return state;
    if (chunked && length)
        return fail(400, "both a Content-Length and a chunked Transfer-Encoding");
    using Overflow = http::BodyReader::Overflow;
    if (length && *length > m_maxBody)
        return fail(413,
                    "a body of " + std::to_string(*length) + " bytes; at most "
                        + std::to_string(m_maxBody) + " are taken");
    if (chunked)
        m_body.startChunked(m_maxBody, Overflow::Refuse);
    else
        m_body.startLength(length.value_or(0), m_maxBody, Overflow::Refuse);
    m_phase = m_body.complete() ? Phase::Done : Phase::Body;
    return m_phase == Phase::Done ? State::Complete : State::NeedMore;
}

RequestParser::State RequestParser::feed(const char *bytes, size_t size, size_t *used)
{
    const char *p = bytes;
    const char *end = bytes + size;
    auto result = [&](State s) {
        *used = static_cast<size_t>(p - bytes);
        return s;
    };
    if (m_errorStatus)
        return result(State::Invalid);
    while (p < end && m_phase != Phase::Done) {
        if (m_phase == Phase::Head) {
            // Line ends before a request line are skipped (RFC 9112 2.2).
            while (m_head.empty() && p < end && (*p == '\r' || *p == '\n'))
                ++p;
            if (p == end)
                break;
            auto head = http::collectHead(m_head, p, end);
            if (head == http::HeadState::TooLarge)
                return result(fail(431, "a request whose headers exceed 64 KiB"));
            if (head == http::HeadState::NeedMore)
                break;
            State s = headComplete();
            if (s != State::NeedMore)
                return result(s);
            continue;
        }
        auto s = m_body.feed(p, end);
        if (s == http::BodyReader::State::Invalid)
            return result(fail(m_body.overflowed() ? 413 : 400,
                               m_body.overflowed()
                                   ? "a body over " + std::to_string(m_maxBody) + " bytes"
                                   : m_body.error()));
        if (s == http::BodyReader::State::Complete)
            m_phase = Phase::Done;
    }
    return result(m_phase == Phase::Done ? (m_errorStatus ? State::Invalid : State::Complete)
                                         : State::NeedMore);
}

HttpRequest RequestParser::take()
{
    HttpRequest out = std::move(m_request);
    out.body = m_body.takeBody();
    out.keepAlive = m_keepAlive;
    out.http10 = m_http10;
    m_request = HttpRequest();
    m_body = http::BodyReader();
    m_phase = Phase::Head;
    m_head.clear();
    m_keepAlive = true;
    m_http10 = false;
    m_expectContinue = false;
    return out;
}

}  // namespace coord::net
