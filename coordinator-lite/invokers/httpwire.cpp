#include "httpwire.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace coord::invokers::http {

namespace {

constexpr size_t kMaxHead = 64 * 1024;
constexpr size_t kMaxLine = 4096;

bool unreserved(unsigned char c)
{
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return lower(x) == lower(y);
           });
}

bool icontains(std::string_view text, std::string_view word)
{
    return std::search(text.begin(), text.end(), word.begin(), word.end(),
                       [](char x, char y) { return lower(x) == lower(y); })
        != text.end();
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

template <typename... Parts>
std::string cat(const Parts &...parts)
{
    std::string out;
    (out.append(std::string_view(parts)), ...);
    return out;
}

template <typename T>
bool toNumber(std::string_view s, T *out, int base = 10)
{
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, base);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

// Printable, for an error message: at most 40 bytes, control characters as \xNN.
std::string shown(std::string_view s)
{
    std::string out;
    for (unsigned char c : s.substr(0, 40)) {
        if (c >= 0x20 && c < 0x7f && c != '"') {
            out += static_cast<char>(c);
        } else {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

// RFC 9110 5.1 and 5.5: a token for the name; no control character but tab in the value.
bool headerName(std::string_view name)
{
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c))
            || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}
bool headerValue(std::string_view value)
{
    return std::none_of(value.begin(), value.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
    });
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

void ResponseParser::keep(const char *bytes, size_t size)
{
    if (m_body.size() < kMaxBody)
        m_body.append(bytes, std::min(size, kMaxBody - m_body.size()));
}

// A CRLF-terminated line (bare LF accepted) into `line`, across feeds; false: not complete yet.
bool ResponseParser::takeLine(const char *&p, const char *end, std::string &line, size_t limit)
{
    const char *nl = static_cast<const char *>(std::memchr(p, '\n', end - p));
    const char *stop = nl ? nl : end;
    line.append(p, stop);
    p = nl ? nl + 1 : end;
    if (!nl)
        return line.size() > limit;  // caller sees an over-long line as "complete" and rejects it
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return true;
}

ResponseParser::State ResponseParser::headComplete()
{
    std::vector<std::string_view> lines;
    for (std::string_view rest = m_head; !rest.empty();) {
        size_t nl = rest.find('\n');
        lines.push_back(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
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
    if (status < 200) {  // 100 Continue and other interim answers: the real one follows
        m_phase = Phase::Head;
        return State::NeedMore;
    }
    m_status = status;
    m_keepAlive = http10 ? icontains(connection, "keep-alive") : !icontains(connection, "close");
    if (chunked && length)
        m_keepAlive = false;  // both: read as chunked, but the connection is not trusted again
    if (status == 204 || status == 304) {
        m_phase = Phase::Done;
    } else if (chunked) {
        m_phase = Phase::ChunkSize;
    } else if (length) {
        m_remaining = *length;
        m_phase = m_remaining ? Phase::Body : Phase::Done;
    } else {
        m_keepAlive = false;
        m_phase = Phase::UntilClose;
    }
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
        switch (m_phase) {
        case Phase::Head: {
            // The head ends at an empty line: look for it in what came before and what is new.
            size_t before = m_head.size();
            m_head.append(p, end);
            size_t from = before >= 3 ? before - 3 : 0;
            size_t crlf = m_head.find("\r\n\r\n", from);
            size_t lf = m_head.find("\n\n", from);
            size_t stop = std::min(crlf == std::string::npos ? std::string::npos : crlf + 4,
                                   lf == std::string::npos ? std::string::npos : lf + 2);
            if (stop == std::string::npos ? m_head.size() > kMaxHead : stop > kMaxHead) {
                p = end;
                return result(fail("an answer whose headers exceed 64 KiB"));
            }
            if (stop == std::string::npos) {
                p = end;
                break;
            }
            p += stop - before;
            m_head.resize(stop);
            State s = headComplete();
            if (s != State::NeedMore)
                return result(s);
            break;
        }
        case Phase::Body: {
            size_t n = static_cast<size_t>(std::min<uint64_t>(m_remaining, end - p));
            keep(p, n);
            p += n;
            m_remaining -= n;
            if (m_remaining == 0)
                m_phase = Phase::Done;
            break;
        }
        case Phase::ChunkSize: {
            if (!takeLine(p, end, m_line, kMaxLine))
                break;
            std::string_view sizeText =
                trimmed(std::string_view(m_line).substr(0, m_line.find(';')));
            uint64_t n = 0;
            if (m_line.size() > kMaxLine || sizeText.empty() || sizeText.size() > 15
                || !toNumber(sizeText, &n, 16))
                return result(
                    fail(cat("a bad chunk size (\"", shown(m_line.substr(0, 40)), "\")")));
            m_line.clear();
            m_remaining = n;
            m_phase = n ? Phase::ChunkData : Phase::Trailers;
            break;
        }
        case Phase::ChunkData: {
            size_t n = static_cast<size_t>(std::min<uint64_t>(m_remaining, end - p));
            keep(p, n);
            p += n;
            m_remaining -= n;
            if (m_remaining == 0)
                m_phase = Phase::ChunkDataEnd;
            break;
        }
        case Phase::ChunkDataEnd:
            if (!takeLine(p, end, m_line, 2))
                break;
            if (!m_line.empty())
                return result(fail("a chunk not followed by its line end"));
            m_phase = Phase::ChunkSize;
            break;
        case Phase::Trailers:
            if (!takeLine(p, end, m_line, kMaxLine))
                break;
            if (m_line.size() > kMaxLine)
                return result(fail("a trailer line over 4 KiB"));
            if (m_line.empty())
                m_phase = Phase::Done;
            m_line.clear();
            break;
        case Phase::UntilClose:
            keep(p, end - p);
            p = end;
            break;
        case Phase::Done:
            break;
        }
    }
    return result(m_phase == Phase::Done ? State::Complete : State::NeedMore);
}

ResponseParser::State ResponseParser::closed()
{
    if (m_phase == Phase::Done)
        return State::Complete;
    if (m_phase == Phase::UntilClose) {
        m_phase = Phase::Done;
        return State::Complete;
    }
    m_keepAlive = false;
    if (!m_started)
        return fail("the participant closed the connection without answering");
    return fail("the participant closed the connection in the middle of its answer");
}

}  // namespace coord::invokers::http
