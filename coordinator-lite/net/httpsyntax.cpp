#include "httpsyntax.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace coord::net::http {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

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

HeadState collectHead(std::string &head, const char *&p, const char *end)
{
    // The end is looked for in what is new and the three bytes before it.
    const size_t before = head.size();
    head.append(p, end);
    const size_t from = before >= 3 ? before - 3 : 0;
    const size_t crlf = head.find("\r\n\r\n", from);
    const size_t lf = head.find("\n\n", from);
    const size_t stop = std::min(crlf == std::string::npos ? std::string::npos : crlf + 4,
                                 lf == std::string::npos ? std::string::npos : lf + 2);
    if (stop == std::string::npos ? head.size() > kMaxHead : stop > kMaxHead) {
        p = end;
        return HeadState::TooLarge;
    }
    if (stop == std::string::npos) {
        p = end;
        return HeadState::NeedMore;
    }
    p += stop - before;
    head.resize(stop);
    return HeadState::Complete;
}

void BodyReader::startLength(uint64_t length, size_t keep, Overflow overflow)
{
    *this = BodyReader();
    m_keep = keep;
    m_overflow = overflow;
    m_remaining = length;
    m_phase = length ? Phase::Body : Phase::Done;
}

void BodyReader::startChunked(size_t keep, Overflow overflow)
{
    *this = BodyReader();
    m_keep = keep;
    m_overflow = overflow;
    m_phase = Phase::ChunkSize;
}

void BodyReader::startUntilClose(size_t keep)
{
    *this = BodyReader();
    m_keep = keep;
    m_phase = Phase::UntilClose;
}

BodyReader::State BodyReader::fail(std::string why)
{
    m_error = std::move(why);
    m_phase = Phase::Done;
    return State::Invalid;
}

// False: a refused body went past what may be kept.
bool BodyReader::keep(const char *bytes, size_t size)
{
    if (m_body.size() + size > m_keep && m_overflow == Overflow::Refuse) {
        m_overflowed = true;
        return false;
    }
    if (m_body.size() < m_keep)
        m_body.append(bytes, std::min(size, m_keep - m_body.size()));
    return true;
}

// A CRLF-terminated line (bare LF accepted) into m_line, across feeds; false: not complete yet.
bool BodyReader::takeLine(const char *&p, const char *end, size_t limit)
{
    const char *nl = static_cast<const char *>(std::memchr(p, '\n', end - p));
    const char *stop = nl ? nl : end;
    m_line.append(p, stop);
    p = nl ? nl + 1 : end;
    if (!nl)
        return m_line.size() > limit;  // an over-long line is "complete", and then rejected
    if (!m_line.empty() && m_line.back() == '\r')
        m_line.pop_back();
    return true;
}

BodyReader::State BodyReader::feed(const char *&p, const char *end)
{
    while (p < end && m_phase != Phase::Done) {
        switch (m_phase) {
        case Phase::Body:
        case Phase::ChunkData: {
            size_t n = static_cast<size_t>(std::min<uint64_t>(m_remaining, end - p));
            if (!keep(p, n))
                return fail("a body larger than the limit");
            p += n;
            m_remaining -= n;
            if (m_remaining == 0)
                m_phase = m_phase == Phase::Body ? Phase::Done : Phase::ChunkDataEnd;
            break;
        }
        case Phase::ChunkSize: {
            if (!takeLine(p, end, kMaxLine))
                break;
            std::string_view sizeText =
                trimmed(std::string_view(m_line).substr(0, m_line.find(';')));
            uint64_t n = 0;
            if (m_line.size() > kMaxLine || sizeText.empty() || sizeText.size() > 15
                || !toNumber(sizeText, &n, 16))
                return fail("a bad chunk size (\"" + shown(m_line.substr(0, 40)) + "\")");
            m_line.clear();
            m_remaining = n;
            m_phase = n ? Phase::ChunkData : Phase::Trailers;
            break;
        }
        case Phase::ChunkDataEnd:
            if (!takeLine(p, end, 2))
                break;
            if (!m_line.empty())
                return fail("a chunk not followed by its line end");
            m_phase = Phase::ChunkSize;
            break;
        case Phase::Trailers:
            if (!takeLine(p, end, kMaxLine))
                break;
            if (m_line.size() > kMaxLine)
                return fail("a trailer line over 4 KiB");
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
    return m_phase == Phase::Done ? State::Complete : State::NeedMore;
}

}  // namespace coord::net::http
