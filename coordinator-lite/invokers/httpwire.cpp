#include "httpwire.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace coord::invokers::http {

namespace {

using net::http::headerName;
using net::http::headerValue;
using net::http::icontains;
using net::http::iequals;
using net::http::shown;
using net::http::toNumber;
using net::http::trimmed;

bool unreserved(unsigned char c)
{
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

template <typename... Parts>
std::string cat(const Parts &...parts)
{
    std::string out;
    (out.append(std::string_view(parts)), ...);
    return out;
}

// Headers the framing belongs to: a participant's own would corrupt it.
bool framingHeader(const std::string &name)
{
    return iequals(name, "Host") || iequals(name, "Content-Length")
        || iequals(name, "Transfer-Encoding") || iequals(name, "Connection");
}

}  // namespace

std::string percentEncode(std::string_view text)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (unreserved(c)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::optional<PlainUrl> parsePlainUrl(std::string_view url)
{
    constexpr std::string_view kScheme = "http://";
    if (url.size() < kScheme.size() || !iequals(url.substr(0, 7), kScheme))
        return std::nullopt;
    std::string_view rest = url.substr(kScheme.size());
    size_t authorityEnd = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, authorityEnd);
    std::string_view target = authorityEnd == std::string_view::npos ? std::string_view()
                                                                     : rest.substr(authorityEnd);
    if (authority.empty() || authority.find('@') != std::string_view::npos)
        return std::nullopt;
    PlainUrl out;
    std::string_view portText;
    if (authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        out.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return std::nullopt;
            portText = after.substr(1);
        }
    } else {
        size_t colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos)
            portText = authority.substr(colon + 1);
    }
    if (out.host.empty())
        return std::nullopt;
    if (!portText.empty()) {
        uint32_t port = 0;
        if (!toNumber(portText, &port) || port == 0 || port > 65535)
            return std::nullopt;
        out.port = static_cast<uint16_t>(port);
    }
    out.hostHeader = std::string(authority);
    size_t fragment = target.find('#');
    if (fragment != std::string_view::npos)
        target = target.substr(0, fragment);
    out.target = target.empty() || target.front() != '/' ? cat("/", target) : std::string(target);
    if (out.target.find_first_of(" \r\n") != std::string::npos)
        return std::nullopt;  // libcurl knows what to say about it
    return out;
}

std::string resolveLocation(std::string_view base, std::string_view location)
{
    if (location.substr(0, location.find_first_of("/?#")).find(':') != std::string_view::npos)
        return std::string(location);  // absolute
    size_t schemeEnd = base.find("://");
    size_t authorityEnd = schemeEnd == std::string_view::npos
        ? std::string_view::npos
        : base.find_first_of("/?#", schemeEnd + 3);
    std::string_view origin = base.substr(0, authorityEnd);
    if (location.starts_with("//"))
        return cat(base.substr(0, schemeEnd + 1), location);
    if (location.starts_with("/"))
        return cat(origin, location);
    if (location.starts_with("?"))  // the same path, another query
        return cat(base.substr(0, base.find_first_of("?#", authorityEnd)), location);
    std::string_view path = authorityEnd == std::string_view::npos
        ? std::string_view("/")
        : base.substr(authorityEnd, base.find_first_of("?#", authorityEnd) - authorityEnd);
    if (path.empty() || path.front() != '/')
        path = "/";
    return cat(origin, path.substr(0, path.rfind('/') + 1), location);
}

bool credentialHeader(std::string_view name)
{
    return iequals(name, "Authorization") || iequals(name, "Cookie") || iequals(name, "Cookie2")
        || iequals(name, "Proxy-Authorization");
}

std::string serialize(const Request &request, const PlainUrl &url, std::string *error)
{
    std::string out;
    out.reserve(256 + request.body.size());
    out += cat(request.post ? "POST " : "GET ", url.target, " HTTP/1.1\r\nHost: ", url.hostHeader,
               "\r\nAccept: */*\r\n");
    bool contentType = false;
    for (const auto &[name, value] : request.headers) {
        if (!headerName(name) || !headerValue(value)) {
            *error = cat("the header \"", shown(name),
                         "\" cannot be sent: its name is not an HTTP token or its value has a "
                         "line break or control character");
            return {};
        }
        if (framingHeader(name))
            continue;
        contentType = contentType || iequals(name, "Content-Type");
        out += cat(name, ": ", value, "\r\n");
    }
    if (!contentType)
        out += "Content-Type: application/json\r\n";
    if (request.post)
        out += cat("Content-Length: ", std::to_string(request.body.size()), "\r\n");
    out += "\r\n";
    if (request.post)
        out += request.body;
    return out;
}

ResponseParser::State ResponseParser::fail(std::string why)
{
    m_error = std::move(why);
    m_keepAlive = false;
    m_phase = Phase::Done;
    return State::Invalid;
}

ResponseParser::State ResponseParser::headComplete()
{
    std::vector<std::string_view> lines;
    net::http::forEachLine(m_head, [&](std::string_view line) { lines.push_back(line); });
    std::string_view statusLine = trimmed(lines.front());
    if (!statusLine.starts_with("HTTP/1.") || statusLine.size() < 12 || statusLine[8] != ' ')
        return fail(cat("not an HTTP answer (it began \"", shown(statusLine.substr(0, 40)), "\")"));
    int status = 0;
    if (!toNumber(statusLine.substr(9, 3), &status) || status < 100 || status > 999)
        return fail(
            cat("not an HTTP answer (status line \"", shown(statusLine.substr(0, 40)), "\")"));
    bool http10 = statusLine[7] == '0';
    std::optional<uint64_t> length;
    bool chunked = false;
    std::string_view connection;
    m_location.clear();
    for (size_t i = 1; i < lines.size(); ++i) {
        std::string_view line = trimmed(lines[i]);
        if (line.empty())
            continue;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            return fail(
                cat("not an HTTP answer (header line \"", shown(line.substr(0, 40)), "\")"));
        std::string_view name = trimmed(line.substr(0, colon));
        std::string_view value = trimmed(line.substr(colon + 1));
        if (iequals(name, "Content-Length")) {
            uint64_t n = 0;
            if (!toNumber(value, &n) || (length && *length != n))
                return fail(cat("a bad Content-Length (\"", shown(value), "\")"));
            length = n;
        } else if (iequals(name, "Transfer-Encoding")) {
            // Only a last coding of chunked frames the body (RFC 9112 6.1).
            std::string_view last = value.substr(value.rfind(',') + 1);
            chunked = iequals(trimmed(last), "chunked");
            if (!chunked)
                return fail(cat("a transfer encoding this client does not decode (\"", shown(value),
                                "\")"));
        } else if (iequals(name, "Connection")) {
            connection = value;
        } else if (iequals(name, "Location")) {
            m_location = std::string(value);
        }
    }
    m_head.clear();
    if (status < 200)  // 100 Continue and other interim answers: the real one follows
        return State::NeedMore;
    m_status = status;
    m_keepAlive = http10 ? icontains(connection, "keep-alive") : !icontains(connection, "close");
    if (chunked && length)
        m_keepAlive = false;  // both: read as chunked, but the connection is not trusted again
    using Overflow = net::http::BodyReader::Overflow;
    if (status == 204 || status == 304) {
        m_body.startLength(0, kMaxBody, Overflow::Truncate);
    } else if (chunked) {
        m_body.startChunked(kMaxBody, Overflow::Truncate);
    } else if (length) {
        m_body.startLength(*length, kMaxBody, Overflow::Truncate);
    } else {
        m_keepAlive = false;
        m_body.startUntilClose(kMaxBody);
    }
    m_phase = m_body.complete() ? Phase::Done : Phase::Body;
    return m_phase == Phase::Done ? State::Complete : State::NeedMore;
}

ResponseParser::State ResponseParser::feed(const char *bytes, size_t size, size_t *used)
{
    const char *p = bytes;
    const char *end = bytes + size;
    m_started = m_started || size > 0;
    auto result = [&](State s) {
        *used = static_cast<size_t>(p - bytes);
        return s;
    };
    while (p < end && m_phase != Phase::Done) {
        if (m_phase == Phase::Head) {
            auto head = net::http::collectHead(m_head, p, end);
            if (head == net::http::HeadState::TooLarge)
                return result(fail("an answer whose headers exceed 64 KiB"));
            if (head == net::http::HeadState::NeedMore)
                break;
            State s = headComplete();
            if (s != State::NeedMore)
                return result(s);
            continue;
        }
        auto s = m_body.feed(p, end);
        if (s == net::http::BodyReader::State::Invalid)
            return result(fail(m_body.error()));
        if (s == net::http::BodyReader::State::Complete)
            m_phase = Phase::Done;
    }
    return result(m_phase == Phase::Done ? State::Complete : State::NeedMore);
}

ResponseParser::State ResponseParser::closed()
{
    if (m_phase == Phase::Done)
        return State::Complete;
    if (m_phase == Phase::Body && m_body.untilClose()) {
        m_phase = Phase::Done;
        return State::Complete;
    }
    m_keepAlive = false;
    if (!m_started)
        return fail("the participant closed the connection without answering");
    return fail("the participant closed the connection in the middle of its answer");
}

}  // namespace coord::invokers::http
