#pragma once

// The parts of PlainHttpTransport its two files share: a call and a connection.
#include "plainhttptransport.h"

#include <chrono>
#include <cstring>

namespace coord::invokers::http {

constexpr int64_t kMaxConnectMs = 5'000;

inline int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

inline std::string keyOf(const PlainUrl &url) { return url.host + ":" + std::to_string(url.port); }

inline std::string errnoText(int error) { return std::strerror(error); }

inline bool isRedirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct PlainHttpTransport::Call {
    Request request;
    PlainUrl url;
    std::string key;
    std::string wire;
    Done done;
    int64_t startedMs = 0;
    int64_t deadlineMs = 0;  // the whole call's
    int64_t armedMs = 0;     // in m_deadlines (0: not)
    Connection *connection = nullptr;
    bool retried = false;  // once, when a reused connection was found closed
    size_t addressesTried = 0;
};

struct PlainHttpTransport::Connection {
    uint64_t id = 0;
    int fd = -1;
    Origin *origin = nullptr;
    Call *call = nullptr;  // nullptr: idle
    size_t written = 0;
    ResponseParser parser;
    size_t addressIndex = 0;
    bool connecting = false;
    bool reused = false;
    bool watchingWrite = false;
};

}  // namespace coord::invokers::http
