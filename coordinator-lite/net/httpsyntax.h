#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

// HTTP/1.1 syntax both ends of the coordinator share: its client for branch calls
// (invokers/httpwire) and its server for DTM's API (net/httprequest). No sockets here.
namespace coord::net::http {

bool iequals(std::string_view a, std::string_view b);
bool icontains(std::string_view text, std::string_view word);
std::string_view trimmed(std::string_view s);
// Printable, for an error message: at most 40 bytes, control characters as \xNN.
std::string shown(std::string_view s);
// RFC 9110 5.1 and 5.5: a token for the name; no control character but tab in the value.
bool headerName(std::string_view name);
bool headerValue(std::string_view value);

template <typename T>
bool toNumber(std::string_view s, T *out, int base = 10)
{
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, base);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

constexpr size_t kMaxHead = 64 * 1024;
constexpr size_t kMaxLine = 4096;

// A message head as it arrives: [p, end) appended to `head` up to the head's end (its empty
// line, CRLF or bare LF). Complete: `head` holds it whole and `p` is past it; NeedMore and
// TooLarge (over kMaxHead): all of it was taken.
enum class HeadState { NeedMore, Complete, TooLarge };
HeadState collectHead(std::string &head, const char *&p, const char *end);

// The lines of a complete head, without their line ends.
template <typename Each>
void forEachLine(std::string_view head, Each each)
{
    while (!head.empty()) {
        size_t nl = head.find('\n');
        std::string_view line = head.substr(0, nl);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        each(line);
        head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
    }
}

// A message body as its framing delivers it: so many bytes (Content-Length) or chunked
// (RFC 9112 7.1), fed in any slicing. Keeps at most `keep` bytes: beyond that, a body is
// truncated (an answer's: the rest is read and dropped) or refused (a request's).
class BodyReader
{
public:
    enum class State { NeedMore, Complete, Invalid };
    enum class Overflow { Truncate, Refuse };

    void startLength(uint64_t length, size_t keep, Overflow overflow);
    void startChunked(size_t keep, Overflow overflow);
    void startUntilClose(size_t keep);  // an answer without a length: ends when the peer closes

    // Advances `p` over what it took; Invalid sets error() (and overflowed() for a refused
    // body that is too long).
    State feed(const char *&p, const char *end);
    bool untilClose() const { return m_phase == Phase::UntilClose; }
    bool complete() const { return m_phase == Phase::Done; }

    const std::string &body() const { return m_body; }
    std::string takeBody() { return std::move(m_body); }
    const std::string &error() const { return m_error; }
    bool overflowed() const { return m_overflowed; }

private:
    enum class Phase { Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Done };
    State fail(std::string why);
    bool keep(const char *bytes, size_t size);
    bool takeLine(const char *&p, const char *end, size_t limit);

    Phase m_phase = Phase::Done;
    Overflow m_overflow = Overflow::Truncate;
    size_t m_keep = 0;
    uint64_t m_remaining = 0;  // bytes of the body or chunk still to come
    std::string m_line;        // a chunk-size or trailer line so far
    std::string m_body;
    std::string m_error;
    bool m_overflowed = false;
};

}  // namespace coord::net::http
