#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace coord::invokers::http {

// One HTTP call to a participant, whatever carries it (plainhttptransport.h for http://,
// curltransport.h for the rest).
struct Request {
    std::string url;    // absolute, query included
    bool post = false;  // false: a GET without a body
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    int64_t timeoutMs = 3000;
    int redirectsLeft = 10;  // as Go's client, so DTM's
};

struct Response {
    long status = 0;             // 0: no answer
    std::string body;            // its first kMaxBody bytes
    std::string transportError;  // non-empty: no (complete) answer
};

constexpr size_t kMaxBody = 64 * 1024;

class Transport
{
public:
    using Done = std::function<void(Response)>;
    virtual ~Transport() = default;
    // Never blocks and never calls `done` before returning; `done` runs once, on a transport
    // thread.
    virtual void send(Request request, Done done) = 0;
};

}  // namespace coord::invokers::http
