// libFuzzer target: a participant's answer parsed by the plain-http client in one piece and in
// slices (the first byte picks their size) must agree, never use more bytes than given, and
// keep no more of the body than kMaxBody. Where they stopped reading is compared only for a
// complete answer: after an invalid one the connection is closed, and a slice may end before
// the byte that proved it wrong.
#include "invokers/httpwire.h"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

using coord::invokers::http::ResponseParser;

struct Outcome {
    ResponseParser::State state = ResponseParser::State::NeedMore;
    size_t used = 0;
    long status = 0;
    std::string body;
    bool keepAlive = false;
};

Outcome parse(const char *data, size_t size, size_t step, bool closeAtEnd)
{
    ResponseParser parser;
    Outcome out;
    while (out.used < size && out.state == ResponseParser::State::NeedMore) {
        size_t n = std::min(step, size - out.used);
        size_t used = 0;
        out.state = parser.feed(data + out.used, n, &used);
        if (used > n)
            std::abort();
        out.used += used;
        if (out.state == ResponseParser::State::NeedMore && used != n)
            std::abort();  // all of it is taken until the answer is complete
    }
    if (closeAtEnd && out.state == ResponseParser::State::NeedMore)
        out.state = parser.closed();
    out.status = parser.status();
    out.body = parser.body();
    out.keepAlive = parser.keepAlive();
    if (out.body.size() > coord::invokers::http::kMaxBody)
        std::abort();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = 1 + data[0] % 17;
    bool closeAtEnd = data[0] & 0x80;
    const char *wire = reinterpret_cast<const char *>(data + 1);
    Outcome whole = parse(wire, size - 1, size, closeAtEnd);
    Outcome sliced = parse(wire, size - 1, step, closeAtEnd);
    if (whole.state != sliced.state)
        std::abort();
    if (whole.state == ResponseParser::State::Complete
        && (whole.used != sliced.used || whole.status != sliced.status || whole.body != sliced.body
            || whole.keepAlive != sliced.keepAlive))
        std::abort();
    return 0;
}
