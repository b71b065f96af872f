#pragma once

#include "httprequest.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

// The parts of HttpServer its two files share: a loop's shared end and a connection.
namespace coord::net::server {

inline int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// What a loop's connections reach after the server is gone: its epoll and wake-up.
struct LoopShared {
    enum class Kind { Adopt, Resume };
    struct Posted {
        Kind kind;
        uint64_t id;
        int fd;
        std::string remote;
    };
    int epoll = -1;
    int wake = -1;
    std::mutex mutex;  // guards posted and stopped
    std::deque<Posted> posted;
    bool stopped = false;

    ~LoopShared();
    void post(Posted p);  // and wakes the loop; after stop, dropped (an adopted socket closed)
};

// One client connection. Its loop reads it and closes it; an answer is written by whoever gives
// it. Everything below is guarded by `mutex`.
struct Connection {
    Connection(uint64_t id, int fd, std::string remote, std::shared_ptr<LoopShared> loop,
               size_t maxBody)
        : id(id), loop(std::move(loop)), fd(fd), parser(maxBody), remote(std::move(remote))
    {}

    const uint64_t id;
    const std::shared_ptr<LoopShared> loop;
    std::mutex mutex;
    int fd;  // -1: closed
    RequestParser parser;
    const std::string remote;
    std::string in;  // read, not yet parsed from inUsed on
    size_t inUsed = 0;
    std::string out;  // to send from outSent on
    size_t outSent = 0;
    bool inFlight = false;    // a request is with the handler or its answer is being sent
    bool answered = false;    // the answer is in `out`
    bool closeAfter = false;  // once the answer is sent
    bool http10 = false;
    bool headOnly = false;    // the request is a HEAD
    bool readPaused = false;  // the client sent more while a request was in flight
    bool watchingOut = false;
    bool sentContinue = false;
    int64_t lingerUntilMs = 0;  // non-zero: shut for writing, reading until the client closes
    int64_t lastSendMs = 0;     // the last time the socket took some of `out`
    int64_t lastActiveMs = nowMs();
    int64_t requestStartedMs = 0;

    void interest();  // what the loop watches: reads unless paused, writes while `out` waits
    void closeNow();
    // The end of a connection that may still have the client's bytes on their way.
    void linger();
    // An exchange is over once its answer is sent: the next request, or the end.
    void finishExchange();
    // Sends what `out` holds, as far as the socket takes it now; the loop sends the rest.
    void flush();
    void answer(const HttpResponse &response);
};

// From any thread, once per request (HttpResponder sees to that).
void respond(const std::shared_ptr<Connection> &c, HttpResponse response);

}  // namespace coord::net::server
