// The HTTP invoker against real servers on loopback: cpp-httplib for the well-behaved ones, a
// raw socket server for what a participant may also do (close a kept connection, answer in
// chunks, answer something that is not HTTP).
#include "invokers/httpinvoker.h"

#include <httplib.h>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace {

using coord::domain::AttemptOutcome;
using coord::engine::BranchCall;
using coord::engine::CallResult;
using coord::invokers::HttpInvoker;

CallResult call(HttpInvoker &invoker, BranchCall c)
{
    std::promise<CallResult> result;
    invoker.invoke(std::move(c), [&](CallResult r) { result.set_value(std::move(r)); });
    return result.get_future().get();
}

BranchCall branch(const std::string &endpoint, const std::string &payload = R"({"amount":30})")
{
    BranchCall c;
    c.endpoint = endpoint;
    c.payload = payload;
    c.gid = "g 1/ü";
    c.transType = "saga";
    c.branchId = "01";
    c.op = "action";
    c.timeoutMs = 3000;
    return c;
}

// cpp-httplib on 127.0.0.1, port 0, on its own thread.
struct Participant {
    httplib::Server server;
    std::thread thread;
    int port = 0;
    std::mutex mutex;
    std::set<int> remotePorts;  // one per TCP connection seen

    void start()
    {
        server.set_keep_alive_max_count(100000);  // cpp-httplib closes after 5 by default
        port = server.bind_to_any_port("127.0.0.1");
        thread = std::thread([this] { server.listen_after_bind(); });
        while (!server.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    void saw(const httplib::Request &r)
    {
        std::lock_guard lock(mutex);
        remotePorts.insert(r.remote_port);
    }
    size_t connections()
    {
        std::lock_guard lock(mutex);
        return remotePorts.size();
    }
    std::string url(const std::string &path) const
    {
        return "http://127.0.0.1:" + std::to_string(port) + path;
    }
    ~Participant()
    {
        server.stop();
        if (thread.joinable())
            thread.join();
    }
};

// Accepts connections on 127.0.0.1, port 0, and runs `serve(fd)` for each on a thread.
class RawServer
{
public:
    explicit RawServer(std::function<void(int)> serve) : m_serve(std::move(serve))
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listener, reinterpret_cast<sockaddr *>(&a), sizeof a);
        ::listen(m_listener, 64);
        socklen_t len = sizeof a;
        ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&a), &len);
        port = ntohs(a.sin_port);
        m_acceptor = std::thread([this] {
            for (;;) {
                int fd = ::accept(m_listener, nullptr, nullptr);
                if (fd < 0)
                    return;
                ++accepted;
                std::lock_guard lock(m_mutex);
                m_threads.emplace_back([this, fd] {
                    m_serve(fd);
                    ::close(fd);
                });
            }
        });
    }
    ~RawServer()
    {
        ::shutdown(m_listener, SHUT_RDWR);
        ::close(m_listener);
        m_acceptor.join();
        for (auto &t : m_threads)
            t.join();
    }
    std::string url(const std::string &path) const
    {
        return "http://127.0.0.1:" + std::to_string(port) + path;
    }
    int port = 0;
    std::atomic<int> accepted{0};

private:
    std::function<void(int)> m_serve;
    int m_listener = -1;
    std::thread m_acceptor;
    std::mutex m_mutex;
    std::vector<std::thread> m_threads;
};

// Reads one request head (and a body of Content-Length bytes) from `fd`; "" when it closed.
std::string readRequest(int fd)
{
    std::string in;
    char buf[4096];
    for (;;) {
        size_t head = in.find("\r\n\r\n");
        if (head != std::string::npos) {
            size_t length = 0;
            size_t at = in.find("Content-Length: ");
            if (at != std::string::npos)
                length = std::stoul(in.substr(at + 16));
            if (in.size() >= head + 4 + length)
                return in;
        }
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return "";
        in.append(buf, static_cast<size_t>(n));
    }
}

void sendAll(int fd, const std::string &s) { ::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

TEST(HttpInvoker, aCallArrivesAsDtmSendsItAndItsAnswerIsClassified)
{
    Participant p;
    std::string query, body, trace, method;
    p.server.Post("/api/TransOut", [&](const httplib::Request &r, httplib::Response &res) {
        query = r.get_param_value("gid") + "|" + r.get_param_value("trans_type") + "|"
            + r.get_param_value("branch_id") + "|" + r.get_param_value("op");
        body = r.body;
        trace = r.get_header_value("X-Trace");
        method = r.method;
        res.set_content(R"({"dtm_result":"SUCCESS"})", "application/json");
    });
    p.server.Get("/api/Query", [&](const httplib::Request &r, httplib::Response &res) {
        method = r.method;
        res.status = 409;
        res.set_content(R"({"dtm_result":"FAILURE"})", "application/json");
    });
    p.start();
    HttpInvoker invoker;
    BranchCall c = branch(p.url("/api/TransOut"));
    c.headers = {{"X-Trace", "abc"}};
    CallResult ok = call(invoker, c);
    EXPECT_EQ(ok.outcome, AttemptOutcome::Success) << ok.error;
    EXPECT_EQ(ok.statusCode, 200);
    EXPECT_EQ(query, "g 1/ü|saga|01|action");
    EXPECT_EQ(body, R"({"amount":30})");
    EXPECT_EQ(trace, "abc");
    EXPECT_EQ(method, "POST");

    CallResult failed = call(invoker, branch(p.url("/api/Query"), ""));
    EXPECT_EQ(failed.outcome, AttemptOutcome::Failure);
    EXPECT_EQ(failed.statusCode, 409);
    EXPECT_EQ(method, "GET") << "no payload: a GET, as DTM";
}

TEST(HttpInvoker, keptConnectionsAreReusedAndNoMoreThanTheLimitAreOpened)
{
    Participant p;
    p.server.Post("/api/x", [&](const httplib::Request &r, httplib::Response &res) {
        p.saw(r);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        res.set_content("SUCCESS", "text/plain");
    });
    p.start();
    HttpInvoker invoker(4);
    for (int i = 0; i < 20; ++i)
        ASSERT_EQ(call(invoker, branch(p.url("/api/x"))).outcome, AttemptOutcome::Success);
    EXPECT_EQ(p.connections(), 1u) << "sequential calls share one kept connection";

    std::atomic<int> succeeded{0};
    std::promise<void> all;
    std::atomic<int> left{200};
    for (int i = 0; i < 200; ++i)
        invoker.invoke(branch(p.url("/api/x")), [&](CallResult r) {
            succeeded += r.outcome == AttemptOutcome::Success;
            if (--left == 0)
                all.set_value();
        });
    all.get_future().wait();
    EXPECT_EQ(succeeded, 200);
    EXPECT_LE(p.connections(), 4u) << "at most 4 connections per host; the rest wait";
}

TEST(HttpInvoker, aKeptConnectionTheServerClosedIsReplacedWithoutFailingTheCall)
{
    // Answers one request per connection with a kept-alive answer, then closes it anyway (as a
    // server whose idle timeout passed does).
    RawServer server([](int fd) {
        if (!readRequest(fd).empty())
            sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nSUCCESS");
        ::shutdown(fd, SHUT_WR);
        char b;
        while (::recv(fd, &b, 1, 0) > 0) {
        }
    });
    HttpInvoker invoker;
    for (int i = 0; i < 5; ++i) {
        CallResult r = call(invoker, branch(server.url("/x")));
        EXPECT_EQ(r.outcome, AttemptOutcome::Success) << i << ": " << r.error;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(server.accepted, 5);
}

TEST(HttpInvoker, aChunkedAnswerInPiecesAndAnAnswerEndedByTheCloseAreRead)
{
    RawServer chunked([](int fd) {
        readRequest(fd);
        sendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"dt");
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        sendAll(fd, "m\r\n15\r\n_result\":\"FAILURE\"}\r\n\r\n0\r\n\r\n");
        readRequest(fd);
    });
    CallResult r1 = [&] {
        HttpInvoker invoker;
        return call(invoker, branch(chunked.url("/x")));
    }();
    EXPECT_EQ(r1.outcome, AttemptOutcome::Failure) << r1.error << " " << r1.excerpt;
    EXPECT_EQ(r1.excerpt.substr(0, 24), R"({"dtm_result":"FAILURE"})");

    RawServer untilClose([](int fd) {
        readRequest(fd);
        sendAll(fd, "HTTP/1.0 200 OK\r\n\r\nSUCC");
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        sendAll(fd, "ESS");
    });
    HttpInvoker invoker;
    CallResult r2 = call(invoker, branch(untilClose.url("/x")));
    EXPECT_EQ(r2.outcome, AttemptOutcome::Success) << r2.error;
    EXPECT_EQ(r2.excerpt, "SUCCESS");
}

TEST(HttpInvoker, noAnswerIsATransientErrorSayingWhatHappened)
{
    RawServer notHttp([](int fd) {
        readRequest(fd);
        sendAll(fd, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
    });
    RawServer cutShort([](int fd) {
        readRequest(fd);
        sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nSUCC");
    });
    RawServer silent([](int fd) {
        readRequest(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    });
    int closedPort = 0;
    {
        RawServer gone([](int) {});
        closedPort = gone.port;
    }
    HttpInvoker invoker;
    struct Case {
        std::string url;
        std::string words;
    };
    BranchCall quick = branch("");
    for (const Case &c : std::vector<Case>{
             {notHttp.url("/x"), "not an HTTP answer"},
             {cutShort.url("/x"), "middle of its answer"},
             {silent.url("/x"), "timed out after"},
             {"http://127.0.0.1:" + std::to_string(closedPort) + "/x", "cannot connect"},
             {"http://no-such-host.invalid/x", "cannot resolve"},
         }) {
        BranchCall b = branch(c.url);
        b.timeoutMs = 400;
        auto started = std::chrono::steady_clock::now();
        CallResult r = call(invoker, b);
        auto took = std::chrono::steady_clock::now() - started;
        EXPECT_EQ(r.outcome, AttemptOutcome::Transient) << c.url;
        EXPECT_EQ(r.statusCode, 0) << c.url;
        EXPECT_NE(r.error.find(c.words), std::string::npos)
            << c.url << ": " << r.error << "|" << r.excerpt;
        EXPECT_LT(took, std::chrono::milliseconds(1400)) << c.url << " waited past its timeout";
    }
}

TEST(HttpInvoker, aHostNameIsResolvedAndEveryAddressTried)
{
    Participant p;  // 127.0.0.1 only: "localhost" may resolve to ::1 first
    p.server.Post("/x", [](const httplib::Request &, httplib::Response &res) {
        res.set_content("SUCCESS", "text/plain");
    });
    p.start();
    HttpInvoker invoker;
    for (int i = 0; i < 3; ++i) {
        CallResult r = call(invoker, branch("http://localhost:" + std::to_string(p.port) + "/x"));
        EXPECT_EQ(r.outcome, AttemptOutcome::Success) << r.error;
    }
}

TEST(HttpInvoker, redirectsAreFollowedAsGoDoes)
{
    Participant p;
    std::string seen;
    p.server.Post("/moved", [](const httplib::Request &, httplib::Response &res) {
        res.set_redirect("/target", 302);
    });
    p.server.Post("/kept", [](const httplib::Request &, httplib::Response &res) {
        res.set_redirect("target", 307);
    });
    p.server.Post("/loop", [](const httplib::Request &, httplib::Response &res) {
        res.set_redirect("/loop", 308);
    });
    auto target = [&](const httplib::Request &r, httplib::Response &res) {
        seen = r.method + " " + r.body + " " + r.get_param_value("gid");
        res.set_content("SUCCESS", "text/plain");
    };
    p.server.Get("/target", target);
    p.server.Post("/target", target);
    p.start();
    HttpInvoker invoker;
    CallResult moved = call(invoker, branch(p.url("/moved")));
    EXPECT_EQ(moved.outcome, AttemptOutcome::Success) << moved.error;
    EXPECT_EQ(seen, "GET  ") << "302: the POST becomes a GET (to the Location as given)";
    CallResult kept = call(invoker, branch(p.url("/kept")));
    EXPECT_EQ(kept.outcome, AttemptOutcome::Success) << kept.error;
    EXPECT_EQ(seen, R"(POST {"amount":30} )") << "307 keeps the method and the body";
    CallResult loop = call(invoker, branch(p.url("/loop")));
    EXPECT_EQ(loop.outcome, AttemptOutcome::Transient);
    EXPECT_NE(loop.error.find("too many redirects"), std::string::npos) << loop.error;
}

TEST(HttpInvoker, aRedirectToAnotherHostDoesNotCarryTheCredentials)
{
    Participant home, other;
    std::string seenHome, seenOther;
    home.server.Post("/away", [&](const httplib::Request &, httplib::Response &res) {
        res.set_redirect(other.url("/target"), 307);
    });
    home.server.Post("/near", [](const httplib::Request &, httplib::Response &res) {
        res.set_redirect("/target", 307);
    });
    home.server.Post("/target", [&](const httplib::Request &r, httplib::Response &res) {
        seenHome = r.get_header_value("Authorization") + "|" + r.get_header_value("X-Trace");
        res.set_content("SUCCESS", "text/plain");
    });
    other.server.Post("/target", [&](const httplib::Request &r, httplib::Response &res) {
        seenOther = r.get_header_value("Authorization") + "|" + r.get_header_value("Cookie") + "|"
            + r.get_header_value("X-Trace");
        res.set_content("SUCCESS", "text/plain");
    });
    other.start();
    home.start();
    HttpInvoker invoker;
    BranchCall away = branch(home.url("/away"));
    away.headers = {{"Authorization", "Bearer s3cret"}, {"Cookie", "c=1"}, {"X-Trace", "t"}};
    CallResult r = call(invoker, away);
    EXPECT_EQ(r.outcome, AttemptOutcome::Success) << r.error;
    EXPECT_EQ(seenOther, "||t") << "another port is another host: no credentials";
    BranchCall near = away;
    near.endpoint = home.url("/near");
    r = call(invoker, near);
    EXPECT_EQ(r.outcome, AttemptOutcome::Success) << r.error;
    EXPECT_EQ(seenHome, "Bearer s3cret|t") << "the same host keeps them";
}

// Sets an environment variable for one scope and puts back what was there.
class ScopedEnv
{
public:
    ScopedEnv(const char *name, const std::string &value) : m_name(name)
    {
        if (const char *old = std::getenv(name))
            m_old = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv()
    {
        if (m_old)
            ::setenv(m_name, m_old->c_str(), 1);
        else
            ::unsetenv(m_name);
    }

private:
    const char *m_name;
    std::optional<std::string> m_old;
};

TEST(HttpInvoker, aProxyNamedInTheEnvironmentCarriesPlainHttpCallsExceptForNoProxyHosts)
{
    std::mutex mutex;
    std::string proxied;  // the request line the proxy saw
    RawServer proxy([&](int fd) {
        std::string request = readRequest(fd);
        {
            std::lock_guard lock(mutex);
            proxied = request.substr(0, request.find("\r\n"));
        }
        sendAll(fd,
                "HTTP/1.1 200 OK\r\nContent-Length: 24\r\nConnection: close\r\n\r\n"
                R"({"dtm_result":"SUCCESS"})");
    });
    Participant direct;
    direct.server.Post("/api/TransOut", [](const httplib::Request &, httplib::Response &res) {
        res.set_content(R"({"dtm_result":"SUCCESS"})", "application/json");
    });
    direct.start();

    ScopedEnv viaProxy("http_proxy", proxy.url(""));
    ScopedEnv notFor("no_proxy", "localhost");
    ASSERT_TRUE(HttpInvoker::proxyInEnvironment());
    HttpInvoker invoker;
    // Nothing listens on the participant's port 1: only the proxy can have answered.
    CallResult viaTheProxy = call(invoker, branch("http://127.0.0.1:1/api/TransOut"));
    EXPECT_EQ(viaTheProxy.outcome, AttemptOutcome::Success) << viaTheProxy.error;
    {
        std::lock_guard lock(mutex);
        EXPECT_EQ(proxied.rfind("POST http://127.0.0.1:1/api/TransOut?gid=", 0), 0u) << proxied;
    }
    int proxiedCalls = proxy.accepted;
    CallResult straight =
        call(invoker, branch("http://localhost:" + std::to_string(direct.port) + "/api/TransOut"));
    EXPECT_EQ(straight.outcome, AttemptOutcome::Success) << straight.error;
    EXPECT_EQ(proxy.accepted, proxiedCalls) << "no_proxy names localhost";
}

TEST(HttpInvoker, aHeaderWithALineBreakIsRefusedNotSent)
{
    RawServer server([](int fd) { readRequest(fd); });
    HttpInvoker invoker;
    BranchCall c = branch(server.url("/x"));
    c.headers = {{"X-A", "1\r\nX-Injected: 2"}};
    CallResult r = call(invoker, c);
    EXPECT_EQ(r.outcome, AttemptOutcome::Transient);
    EXPECT_NE(r.error.find("line break"), std::string::npos) << r.error;
    EXPECT_EQ(server.accepted, 0);
}

TEST(HttpInvoker, callsInFlightWhenItStopsAreAnsweredThatItIsShuttingDown)
{
    RawServer silent([](int fd) {
        readRequest(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
    });
    std::promise<CallResult> result;
    {
        HttpInvoker invoker;
        invoker.invoke(branch(silent.url("/x")), [&](CallResult r) { result.set_value(r); });
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CallResult r = result.get_future().get();
    EXPECT_EQ(r.outcome, AttemptOutcome::Transient);
    EXPECT_EQ(r.error, "coordinator shutting down");
}

}  // namespace
