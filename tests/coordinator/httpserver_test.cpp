// The coordinator's own HTTP/1.1 server (net/httpserver.h) over real loopback sockets: requests
// kept alive, pipelined, chunked, with Expect: 100-continue; answers given later from other
// threads, too large for one send, or never; hostile framing; idle and slow clients; stop().
#include "invokers/httpwire.h"
#include "net/httprouter.h"
#include "net/httpserver.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

namespace {

using coord::invokers::http::ResponseParser;
using coord::net::HttpRequest;
using coord::net::HttpResponder;
using coord::net::HttpResponse;
using coord::net::HttpRouter;
using coord::net::HttpServer;
using coord::net::HttpServerOptions;
using coord::net::RequestParser;
using namespace std::chrono_literals;

// A client that writes exactly the bytes it is given and reads answers with the coordinator's
// own response parser.
class RawClient
{
public:
    explicit RawClient(const std::string &address)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port =
            htons(static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        EXPECT_EQ(::connect(m_fd, reinterpret_cast<sockaddr *>(&a), sizeof a), 0);
    }
    ~RawClient() { ::close(m_fd); }

    void send(const std::string &bytes)
    {
        ASSERT_EQ(::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(bytes.size()));
    }

    struct Answer {
        long status = 0;
        std::string body;
        bool keepAlive = false;
    };
    // The next answer, or nullopt when the server closed first (or nothing came in 5 s).
    std::optional<Answer> read()
    {
        ResponseParser parser;
        for (;;) {
            if (m_pending.empty() && !fill())
                return parser.closed() == ResponseParser::State::Complete
                    ? std::optional<Answer>(Answer{parser.status(), parser.body(), false})
                    : std::nullopt;
            size_t used = 0;
            auto state = parser.feed(m_pending.data(), m_pending.size(), &used);
            m_pending.erase(0, used);
            if (state == ResponseParser::State::Invalid)
                return std::nullopt;
            if (state == ResponseParser::State::Complete)
                return Answer{parser.status(), parser.body(), parser.keepAlive()};
        }
    }
    // Raw bytes as they come, until `text` is among them.
    bool readUntil(const std::string &text)
    {
        while (m_pending.find(text) == std::string::npos)
            if (!fill())
                return false;
        m_pending.erase(0, m_pending.find(text) + text.size());
        return true;
    }
    bool closedByServer() { return m_pending.empty() && !fill(); }

private:
    bool fill()
    {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0)
            return false;
        char buffer[65536];
        ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            return false;
        m_pending.append(buffer, static_cast<size_t>(n));
        return true;
    }

    int m_fd = -1;
    std::string m_pending;
};

std::string post(const std::string &path, const std::string &body, const std::string &extra = {})
{
    return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size())
        + "\r\n" + extra + "\r\n" + body;
}

HttpResponse text(int status, std::string body)
{
    return {status, "text/plain", std::move(body), {}};
}

// Echoes method, path, the params and the body; "/later" answers from another thread after
// 50 ms, "/never" drops its responder, "/big" answers with 4 MiB.
struct EchoServer {
    explicit EchoServer(HttpServerOptions options = {})
        : server(
            [this](HttpRequest r, HttpResponder respond) {
                ++requests;
                std::string echo = r.method + " " + r.path;
                for (const auto &[k, v] : r.params)
                    echo += " " + k + "=" + v;
                echo += " [" + r.body + "]";
                if (r.path == "/later") {
                    std::thread([respond, echo] {
                        std::this_thread::sleep_for(50ms);
                        respond(text(200, echo));
                    }).detach();
                } else if (r.path == "/never") {
                } else if (r.path == "/big") {
                    respond(text(200, std::string(4 * 1024 * 1024, 'b')));
                } else if (r.path == "/hold") {
                    std::lock_guard lock(heldMutex);
                    held.push_back(respond);
                } else {
                    respond(text(200, echo));
                }
            },
            options)
    {
        auto bound = server.listen("127.0.0.1:0", "--test");
        EXPECT_TRUE(bound.ok()) << bound.status();
        address = bound.value_or("");
    }
    std::atomic<int> requests{0};
    std::mutex heldMutex;
    std::vector<HttpResponder> held;
    HttpServer server;
    std::string address;
};

TEST(HttpServerTest, aKeptAliveConnectionServesRequestsAnsweredNowAndLaterFromAnotherThread)
{
    EchoServer s;
    RawClient c(s.address);
    c.send(post("/now?a=1+2&b=%26&a=3", "one"));
    auto first = c.read();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->status, 200);
    EXPECT_EQ(first->body, "POST /now a=1 2 a=3 b=& [one]");
    EXPECT_TRUE(first->keepAlive);
    c.send(post("/later", "two"));
    auto second = c.read();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->body, "POST /later [two]");
    c.send("GET /p%20q HTTP/1.1\r\nHost: x\r\n\r\n");
    auto third = c.read();
    ASSERT_TRUE(third);
    EXPECT_EQ(third->body, "GET /p q []");
    EXPECT_EQ(s.requests, 3);
    EXPECT_EQ(s.server.connections(), 1u);
}

TEST(HttpServerTest, headIsAnsweredWithTheHeadersOfGetAndNoBody)
{
    EchoServer s;
    RawClient c(s.address);
    c.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(c.readUntil("Content-Length: 10\r\n"));  // of "HEAD /h []", not sent
    ASSERT_TRUE(c.readUntil("\r\n"));  // the head's end: Content-Length is its last header
    c.send("GET /g HTTP/1.1\r\nHost: x\r\n\r\n");
    auto a = c.read();  // a body after the HEAD's headers would be read as this answer
    ASSERT_TRUE(a);
    EXPECT_EQ(a->body, "GET /g []");
}

TEST(HttpServerTest, pipelinedRequestsAreAnsweredInTheOrderSentEvenWhenTheFirstAnswersLater)
{
    EchoServer s;
    RawClient c(s.address);
    c.send(post("/later", "1") + post("/now", "2") + "\r\n" + post("/now", "3"));
    for (const char *want : {"POST /later [1]", "POST /now [2]", "POST /now [3]"}) {
        auto a = c.read();
        ASSERT_TRUE(a) << want;
        EXPECT_EQ(a->body, want);
    }
}

TEST(HttpServerTest, aChunkedBodyAfterOneHundredContinueArrivesWhole)
{
    EchoServer s;
    RawClient c(s.address);
    c.send("POST /now HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
           "Transfer-Encoding: chunked\r\n\r\n");
    ASSERT_TRUE(c.readUntil("HTTP/1.1 100 Continue\r\n\r\n"));
    c.send("4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\nTrailer: t\r\n\r\n");
    auto a = c.read();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->body, "POST /now [wikipedia]");
}

TEST(HttpServerTest, brokenFramingIsAnsweredWithItsStatusAndTheConnectionClosed)
{
    HttpServerOptions small;
    small.maxBody = 1024;
    EchoServer s(small);
    const std::pair<std::string, long> cases[] = {
        {"NOT-HTTP\r\n\r\n", 400},
        {"GET / HTTP/2.0\r\n\r\n", 505},
        {"GET / HTTP/1.1\r\n folded: x\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400},
        {post("/now", std::string(2000, 'x')), 413},
        {"POST /now HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n801\r\n" + std::string(2049, 'x'),
         413},
        {"POST /now HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        {"POST /now HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400},
        {"POST /now HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        {"POST /now HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
        {"POST /now HTTP/1.1\r\nExpect: tea\r\nContent-Length: 1\r\n\r\n", 417},
        {"POST /now HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
        {"GET / HTTP/1.1\r\nX: " + std::string(70 * 1024, 'h') + "\r\n\r\n", 431},
    };
    for (const auto &[wire, status] : cases) {
        RawClient c(s.address);
        c.send(wire);
        auto a = c.read();
        ASSERT_TRUE(a) << wire.substr(0, 40);
        EXPECT_EQ(a->status, status) << wire.substr(0, 40);
        EXPECT_FALSE(a->keepAlive);
        EXPECT_TRUE(c.closedByServer()) << wire.substr(0, 40);
    }
    EXPECT_EQ(s.requests, 0);
}

TEST(HttpServerTest, aDroppedResponderAnswers500AndTheConnectionGoesOn)
{
    EchoServer s;
    RawClient c(s.address);
    c.send(post("/never", ""));
    auto a = c.read();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 500);
    c.send(post("/now", "after"));
    auto b = c.read();
    ASSERT_TRUE(b);
    EXPECT_EQ(b->body, "POST /now [after]");
}

TEST(HttpServerTest, anAnswerLargerThanTheSocketTakesIsSentWholeToASlowReader)
{
    EchoServer s;
    RawClient c(s.address);
    c.send(post("/big", ""));
    std::this_thread::sleep_for(100ms);  // the server's send fills the socket and waits
    auto a = c.read();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 200);
    // The client's parser keeps the first 64 KiB of a body; all 4 MiB were read to complete it.
    EXPECT_EQ(a->body, std::string(a->body.size(), 'b'));
    c.send(post("/now", "next"));
    auto b = c.read();
    ASSERT_TRUE(b);
    EXPECT_EQ(b->body, "POST /now [next]");
}

TEST(HttpServerTest, httpOneZeroAndConnectionCloseEndTheConnectionAfterTheAnswer)
{
    EchoServer s;
    for (const std::string &wire :
         {std::string("GET /a HTTP/1.0\r\n\r\n"), post("/b", "x", "Connection: close\r\n")}) {
        RawClient c(s.address);
        c.send(wire);
        auto a = c.read();
        ASSERT_TRUE(a);
        EXPECT_EQ(a->status, 200);
        EXPECT_FALSE(a->keepAlive);
        EXPECT_TRUE(c.closedByServer());
    }
    RawClient kept(s.address);
    kept.send("GET /c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    auto a = kept.read();
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->keepAlive);
    kept.send("GET /d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    ASSERT_TRUE(kept.read());
}

TEST(HttpServerTest, nothingAfterARequestThatClosesTheConnectionIsServed)
{
    EchoServer s;
    RawClient c(s.address);
    c.send(post("/later", "last", "Connection: close\r\n") + post("/now", "pipelined"));
    auto a = c.read();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->body, "POST /later [last]");
    EXPECT_FALSE(a->keepAlive);
    c.send(post("/now", "after"));  // read and dropped while the server waits for the close
    EXPECT_TRUE(c.closedByServer());
    EXPECT_EQ(s.requests, 1);
}

TEST(HttpServerTest, aClientThatStopsReadingItsAnswerIsDisconnected)
{
    HttpServerOptions quick;
    quick.requestMs = 300;
    EchoServer s(quick);
    RawClient c(s.address);
    c.send(post("/big", ""));  // 4 MiB, never read
    for (int i = 0; i < 300 && s.server.connections() > 0; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(s.server.connections(), 0u);
}

TEST(HttpServerTest, anIdleConnectionIsClosedAndAHalfSentRequestGets408)
{
    HttpServerOptions quick;
    quick.idleMs = 300;
    quick.requestMs = 300;
    EchoServer s(quick);
    RawClient idle(s.address);
    RawClient slow(s.address);
    slow.send("POST /now HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    auto a = slow.read();  // within the 5 s the client waits: the sweep runs every second
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 408);
    EXPECT_TRUE(slow.closedByServer());
    EXPECT_TRUE(idle.closedByServer());
    EXPECT_EQ(s.requests, 0);
}

TEST(HttpServerTest, anAnswerGivenAfterStopGoesNowhere)
{
    auto s = std::make_unique<EchoServer>();
    RawClient c(s->address);
    c.send(post("/hold", ""));
    for (int i = 0; i < 500 && s->requests == 0; ++i)
        std::this_thread::sleep_for(2ms);
    std::vector<HttpResponder> held;
    {
        std::lock_guard lock(s->heldMutex);
        held.swap(s->held);
    }
    ASSERT_EQ(held.size(), 1u);
    s->server.stop();
    EXPECT_TRUE(c.closedByServer());
    s.reset();
    held[0](text(200, "late"));  // the connection is closed: nothing to write, nothing to crash
    held.clear();
}

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

TEST(HttpServerTest, outOfDescriptorsTheListenerWaitsWithoutSpinningAndServesOnceThereAreSome)
{
    EchoServer s;
    rlimit saved{};
    getrlimit(RLIMIT_NOFILE, &saved);
    int probe = ::dup(0);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(probe) + 32;
    ::close(probe);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    std::vector<int> filler;
    for (int fd; (fd = ::dup(0)) >= 0;)
        filler.push_back(fd);
    ::close(filler.back());  // one for the client; none left for the server to accept it with
    filler.pop_back();
    auto client = std::make_unique<RawClient>(s.address);
    client->send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
    const double before = cpuSeconds();
    std::this_thread::sleep_for(500ms);
    const double spent = cpuSeconds() - before;
    for (int fd : filler)
        ::close(fd);
    setrlimit(RLIMIT_NOFILE, &saved);
    EXPECT_LT(spent, 0.2) << "the loop spun on a listener it could not accept from";
    auto a = client->read();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->body, "GET /x []");
}

TEST(HttpServerTest, connectionsAreSpreadOverTheLoopsAndAllServed)
{
    EchoServer s;
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 20; ++i)
        clients.push_back(std::make_unique<RawClient>(s.address));
    for (int round = 0; round < 3; ++round)
        for (size_t i = 0; i < clients.size(); ++i) {
            clients[i]->send(post("/later", std::to_string(i)));
        }
    for (int round = 0; round < 3; ++round)
        for (size_t i = 0; i < clients.size(); ++i) {
            auto a = clients[i]->read();
            ASSERT_TRUE(a);
            EXPECT_EQ(a->body, "POST /later [" + std::to_string(i) + "]");
        }
    EXPECT_EQ(s.server.connections(), 20u);
    clients.clear();
    for (int i = 0; i < 500 && s.server.connections() > 0; ++i)
        std::this_thread::sleep_for(2ms);
    EXPECT_EQ(s.server.connections(), 0u);
}

TEST(HttpRouterTest, routesByPathAndMethodAndRunsBlockingHandlersOffTheCallersThread)
{
    HttpRouter router(2);
    std::thread::id workerThread;
    router.add("GET", "/inline", HttpRouter::Run::Inline,
               [](const HttpRequest &, HttpResponder r) { r(text(200, "inline")); });
    router.add("GET", "/slow", HttpRouter::Run::OnWorker,
               [&](const HttpRequest &, HttpResponder r) {
                   workerThread = std::this_thread::get_id();
                   r(text(200, "slow"));
               });
    router.addPrefix("POST", "/sim/", HttpRouter::Run::Inline,
                     [](const HttpRequest &q, HttpResponder r) { r(text(200, q.path)); });
    auto call = [&](std::string method, std::string path) {
        std::promise<HttpResponse> answer;
        HttpRequest request;
        request.method = std::move(method);
        request.path = std::move(path);
        router.handle(std::move(request),
                      HttpResponder([&](HttpResponse r) { answer.set_value(std::move(r)); }));
        return answer.get_future().get();
    };
    EXPECT_EQ(call("GET", "/inline").body, "inline");
    EXPECT_EQ(call("GET", "/slow").body, "slow");
    EXPECT_NE(workerThread, std::this_thread::get_id());
    EXPECT_EQ(call("POST", "/sim/bank").body, "/sim/bank");
    EXPECT_EQ(call("HEAD", "/inline").body, "inline");  // the server drops it on the wire
    EXPECT_EQ(call("POST", "/inline").status, 405);
    EXPECT_EQ(call("GET", "/nothing").status, 404);
    EXPECT_EQ(call("POST", "/sim/").status, 404);
}

TEST(HttpRequestParserTest, aRequestInEverySlicingParsesTheSameAndLeavesTheNextOnesBytes)
{
    const std::string wire =
        "\r\nPOST http://h:1/a%2Fb?x=%41&y HTTP/1.1\nHost: h\nContent-Length: 3\n\nabcGET";
    for (size_t step : {1, 2, 5, 4096}) {
        RequestParser parser;
        size_t at = 0;
        auto state = RequestParser::State::NeedMore;
        while (at < wire.size() && state == RequestParser::State::NeedMore) {
            size_t used = 0;
            state = parser.feed(wire.data() + at, std::min(step, wire.size() - at), &used);
            at += used;
        }
        ASSERT_EQ(state, RequestParser::State::Complete) << step;
        EXPECT_EQ(wire.substr(at), "GET") << step;
        HttpRequest r = parser.take();
        EXPECT_EQ(r.method, "POST");
        EXPECT_EQ(r.path, "/a/b");
        EXPECT_EQ(r.param("x"), "A");
        EXPECT_TRUE(r.hasParam("y"));
        EXPECT_EQ(r.header("host"), "h");
        EXPECT_EQ(r.body, "abc");
        EXPECT_TRUE(r.keepAlive);
        EXPECT_FALSE(parser.started());
    }
}

}  // namespace
