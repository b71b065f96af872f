#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

// How the faulty participant answers one request.
struct Fault {
    enum class Kind {
        Answer,            // an HTTP response with `status` and `body`, after `delayMs`
        ResetMidResponse,  // half the status line and headers, then a TCP reset
        NotHttp,           // bytes that are not HTTP at all, then close
    };
    Kind kind = Kind::Answer;
    int status = 200;
    std::string body = R"({"dtm_result":"SUCCESS"})";
    int delayMs = 0;

    static Fault answer(int status, std::string body = "{}");
    static Fault slow(int delayMs);  // 200 SUCCESS, late
    static Fault resetMidResponse();
    static Fault notHttp();
};

// A misbehaving HTTP participant on 127.0.0.1 with raw control over the wire: plain POSIX
// sockets, a thread per connection (keep-alive is honoured between answers). Each path answers
// from its script, then with its default (200 SUCCESS unless set). Every request is logged.
class FaultyHttp
{
public:
    struct Call {
        std::string path;
        std::string gid;
        std::string op;
    };

    FaultyHttp();
    ~FaultyHttp();
    FaultyHttp(const FaultyHttp &) = delete;
    FaultyHttp &operator=(const FaultyHttp &) = delete;

    bool start();
    void stop();  // cuts slow answers short and closes every connection

    std::string url(const std::string &path) const;  // path without the leading '/'
    // A port held bound but never listening: connecting to it is refused, every time.
    std::string refusedUrl(const std::string &path) const;

    void script(const std::string &path, std::vector<Fault> next);
    void setDefault(const std::string &path, Fault fault);

    std::vector<Call> calls() const;
    int callCount(const std::string &path) const;

private:
    void acceptLoop();
    void serve(int fd);
    Fault next(const Call &call);
    bool pause(int ms);  // false when stopping

    int m_listenFd = -1;
    int m_refusedFd = -1;
    int m_port = 0;
    int m_refusedPort = 0;
    std::thread m_acceptor;

    mutable std::mutex m_mutex;
    std::condition_variable m_stopped;
    bool m_stopping = false;
    std::vector<std::thread> m_connections;
    std::set<int> m_openFds;
    std::map<std::string, std::deque<Fault>> m_scripts;
    std::map<std::string, Fault> m_defaults;
    std::vector<Call> m_calls;
};

}  // namespace testsupport
