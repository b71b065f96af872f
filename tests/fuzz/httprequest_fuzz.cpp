// libFuzzer target: requests read by the coordinator's HTTP server, in one piece and in slices
// (the first byte picks their size), must agree request by request, never use more bytes than
// given, keep no body over the limit, and end in a status the server answers with.
#include "net/httprequest.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using coord::net::HttpRequest;
using coord::net::RequestParser;

constexpr size_t kMaxBody = 4096;

struct Outcome {
    std::vector<std::string> requests;  // method, path, params, body of each, in order
    RequestParser::State last = RequestParser::State::NeedMore;
    int errorStatus = 0;
};

Outcome parse(const char *data, size_t size, size_t step)
{
    RequestParser parser(kMaxBody);
    Outcome out;
    size_t at = 0;
    while (at < size) {
        size_t n = std::min(step, size - at);
        size_t used = 0;
        out.last = parser.feed(data + at, n, &used);
        if (used > n)
            std::abort();
        at += used;
        if (out.last == RequestParser::State::NeedMore && used != n)
            std::abort();  // all of it is taken until a request is complete
        if (out.last == RequestParser::State::Invalid) {
            out.errorStatus = parser.errorStatus();
            if (out.errorStatus < 400 || out.errorStatus > 505)
                std::abort();
            break;
        }
        if (out.last == RequestParser::State::Complete) {
            HttpRequest r = parser.take();
            if (r.body.size() > kMaxBody || r.path.empty())
                std::abort();
            std::string shown = r.method + "\n" + r.path + "\n" + r.body;
            for (const auto &[k, v] : r.params)
                shown += "\n" + k + "=" + v;
            out.requests.push_back(shown);
            out.last = RequestParser::State::NeedMore;
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = 1 + data[0] % 17;
    const char *wire = reinterpret_cast<const char *>(data + 1);
    Outcome whole = parse(wire, size - 1, size);
    Outcome sliced = parse(wire, size - 1, step);
    if (whole.requests != sliced.requests || whole.last != sliced.last)
        std::abort();
    return 0;
}
