#include "httpserver.h"

#include "httpconnection.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace coord::net {

using server::Connection;
using server::LoopShared;
using server::nowMs;

namespace {

constexpr uint64_t kListenId = 0;
constexpr uint64_t kWakeId = 1;
constexpr size_t kReadChunk = 64 * 1024;

std::string peerAddress(const sockaddr_storage &peer)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (peer.ss_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in &>(peer).sin_addr, text,
                  sizeof text);
    else if (peer.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6 &>(peer).sin6_addr, text,
                  sizeof text);
    return text;
}

}  // namespace

struct HttpServer::Impl {
    struct Loop {
        std::shared_ptr<LoopShared> shared = std::make_shared<LoopShared>();
        std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections;
        std::thread thread;
        int64_t lastSweepMs = nowMs();
    };

    Handler handler;
    HttpServerOptions options;
    int listenFd = -1;
    std::vector<std::unique_ptr<Loop>> loops;
    std::atomic<bool> stopping{false};
    std::atomic<size_t> open{0};
    std::atomic<uint64_t> nextId{2};
    size_t nextLoop = 0;  // loop 0's (it accepts)
    bool stopped = false;

    void run(Loop &loop);
    void accept();
    void adopt(Loop &loop, int fd, std::string remote);
    void onPosted(Loop &loop);
    void onEvent(Loop &loop, uint64_t id, uint32_t events);
    // Parses what is buffered; a complete request goes to the handler (outside the lock).
    void process(const std::shared_ptr<Connection> &c, std::unique_lock<std::mutex> &lock);
    void sweep(Loop &loop);
    void pauseAccepting();
    void resumeAccepting();
    std::atomic<int64_t> acceptPausedUntilMs{0};  // set and cleared by loop 0
    void erase(Loop &loop, uint64_t id);
};

void HttpServer::Impl::run(Loop &loop)
{
    std::vector<epoll_event> events(64);
    while (!stopping.load(std::memory_order_relaxed)) {
        int n = epoll_wait(loop.shared->epoll, events.data(), static_cast<int>(events.size()),
                           acceptPausedUntilMs ? 100 : 1000);
        for (int i = 0; i < n; ++i) {
            uint64_t id = events[i].data.u64;
            if (id == kListenId)
                accept();
            else if (id == kWakeId)
                onPosted(loop);
            else
                onEvent(loop, id, events[i].events);
        }
        if (&loop == loops[0].get() && acceptPausedUntilMs && nowMs() >= acceptPausedUntilMs)
            resumeAccepting();
        if (nowMs() - loop.lastSweepMs >= 1000)
            sweep(loop);
    }
}

// Out of descriptors: the listener would stay readable and spin its loop; it is left out of
// the loop's set for 100 ms instead (the clients wait in the backlog).
void HttpServer::Impl::pauseAccepting()
{
    epoll_ctl(loops[0]->shared->epoll, EPOLL_CTL_DEL, listenFd, nullptr);
    acceptPausedUntilMs = nowMs() + 100;
}

void HttpServer::Impl::resumeAccepting()
{
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenId;
    epoll_ctl(loops[0]->shared->epoll, EPOLL_CTL_ADD, listenFd, &ev);
    acceptPausedUntilMs = 0;
}

void HttpServer::Impl::accept()
{
    for (;;) {
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        int fd = ::accept4(listenFd, reinterpret_cast<sockaddr *>(&peer), &len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                pauseAccepting();
            return;
        }
        if (open.load() >= options.maxConnections) {
            ::close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        Loop &to = *loops[nextLoop++ % loops.size()];
        ++open;
        if (&to == loops.front().get())
            adopt(to, fd, peerAddress(peer));
        else
            to.shared->post({LoopShared::Kind::Adopt, 0, fd, peerAddress(peer)});
    }
}

void HttpServer::Impl::adopt(Loop &loop, int fd, std::string remote)
{
    uint64_t id = nextId++;
    auto c = std::make_shared<Connection>(id, fd, std::move(remote), loop.shared, options.maxBody);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = id;
    if (epoll_ctl(loop.shared->epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
        ::close(fd);
        --open;
        return;
    }
    loop.connections.emplace(id, std::move(c));
}

void HttpServer::Impl::onPosted(Loop &loop)
{
    uint64_t count = 0;
    [[maybe_unused]] ssize_t r = ::read(loop.shared->wake, &count, sizeof count);
    std::deque<LoopShared::Posted> posted;
    {
        std::lock_guard lock(loop.shared->mutex);
        posted.swap(loop.shared->posted);
    }
    for (auto &p : posted) {
        if (p.kind == LoopShared::Kind::Adopt) {
            adopt(loop, p.fd, std::move(p.remote));
            continue;
        }
        auto it = loop.connections.find(p.id);
        if (it == loop.connections.end())
            continue;
        std::shared_ptr<Connection> c = it->second;
        std::unique_lock lock(c->mutex);
        if (c->fd >= 0 && !c->inFlight && !c->lingerUntilMs)  // Resume
            process(c, lock);
        if (lock.owns_lock() && c->fd < 0) {
            lock.unlock();
            erase(loop, p.id);
        }
    }
}

void HttpServer::Impl::onEvent(Loop &loop, uint64_t id, uint32_t events)
{
    auto it = loop.connections.find(id);
    if (it == loop.connections.end())
        return;
    std::shared_ptr<Connection> c = it->second;
    std::unique_lock lock(c->mutex);
    if (c->fd >= 0 && (events & EPOLLOUT) && c->watchingOut)
        c->flush();
    if (c->fd >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        if (c->lingerUntilMs) {
            char buffer[kReadChunk];
            ssize_t n = ::recv(c->fd, buffer, sizeof buffer, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                c->closeNow();
        } else if (c->inFlight) {
            if (events & (EPOLLHUP | EPOLLERR)) {
                c->closeNow();  // the client is gone; its answer goes nowhere
            } else if (!c->readPaused) {
                c->readPaused = true;  // read once this request is answered
                c->interest();
            }
        } else {
            char buffer[kReadChunk];
            ssize_t n = ::recv(c->fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                c->in.append(buffer, static_cast<size_t>(n));
                c->lastActiveMs = nowMs();
                process(c, lock);
            } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                c->closeNow();
            }
        }
    }
    // Handed to the handler (unlocked): a close after its answer is posted to this loop.
    if (!lock.owns_lock() || c->fd >= 0)
        return;
    lock.unlock();
    erase(loop, id);
}

void HttpServer::Impl::process(const std::shared_ptr<Connection> &c,
                               std::unique_lock<std::mutex> &lock)
{
    if (c->inFlight || c->inUsed >= c->in.size())
        return;
    size_t used = 0;
    auto state = c->parser.feed(c->in.data() + c->inUsed, c->in.size() - c->inUsed, &used);
    c->inUsed += used;
    if (c->inUsed == c->in.size()) {
        c->in.clear();
        c->inUsed = 0;
    }
    if (state == RequestParser::State::NeedMore) {
        if (!c->requestStartedMs && c->parser.started())
            c->requestStartedMs = nowMs();
        if (c->parser.wantsContinue() && !c->sentContinue) {
            c->sentContinue = true;
            c->out += "HTTP/1.1 100 Continue\r\n\r\n";
            c->flush();
        }
        return;
    }
    c->inFlight = true;
    c->requestStartedMs = 0;
    c->sentContinue = false;
    c->headOnly = false;
    if (state == RequestParser::State::Invalid) {
        c->closeAfter = true;  // the framing is lost: nothing after it can be read
        HttpResponse error{c->parser.errorStatus(), "application/json", {}, {}};
        error.body = R"({"message":")" + http::shown(c->parser.error()) + R"("})";
        c->answer(error);
        return;
    }
    HttpRequest request = c->parser.take();
    request.remoteAddr = c->remote;
    c->closeAfter = !request.keepAlive || stopping.load();
    c->http10 = request.http10;
    c->headOnly = request.method == "HEAD";
    lock.unlock();
    HttpResponder responder([c](HttpResponse response) { respond(c, std::move(response)); });
    try {
        handler(std::move(request), responder);
    } catch (const std::exception &) {
        responder({500, "application/json", R"({"message":"the request failed"})", {}});
    }
}

void HttpServer::Impl::sweep(Loop &loop)
{
    const int64_t now = nowMs();
    loop.lastSweepMs = now;
    std::vector<uint64_t> closed;
    for (auto &[id, c] : loop.connections) {
        std::lock_guard lock(c->mutex);
        if (c->lingerUntilMs && now > c->lingerUntilMs) {
            c->closeNow();
        } else if (c->fd >= 0 && c->watchingOut && now - c->lastSendMs > options.requestMs) {
            c->closeNow();  // a client that stopped reading its answer
        } else if (c->fd >= 0 && !c->inFlight && !c->lingerUntilMs) {
            if (c->requestStartedMs && now - c->requestStartedMs > options.requestMs) {
                c->inFlight = true;
                c->closeAfter = true;
                c->headOnly = false;
                c->answer({408,
                           "application/json",
                           R"({"message":"the request did not arrive in time"})",
                           {}});
            } else if (!c->requestStartedMs && now - c->lastActiveMs > options.idleMs) {
                c->closeNow();
            }
        }
        if (c->fd < 0)
            closed.push_back(id);
    }
    for (uint64_t id : closed)
        erase(loop, id);
}

void HttpServer::Impl::erase(Loop &loop, uint64_t id)
{
    if (loop.connections.erase(id))
        --open;
}

HttpServer::HttpServer(Handler handler, HttpServerOptions options)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->handler = std::move(handler);
    m_impl->options = std::move(options);
}

HttpServer::~HttpServer() { stop(); }

absl::StatusOr<std::string> HttpServer::listen(const std::string &address, const std::string &flag)
{
    const size_t colon = address.rfind(':');
    int port = 0;
    if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)
        || port < 0 || port > 65535)
        return absl::InvalidArgumentError(absl::StrCat(flag, " ", address, ": expected HOST:PORT"));
    const std::string host = address.substr(0, colon);
    std::string bare = host;
    if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']')
        bare = bare.substr(1, bare.size() - 2);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo *found = nullptr;
    const std::string portText = std::to_string(port);
    if (getaddrinfo(bare.empty() ? nullptr : bare.c_str(), portText.c_str(), &hints, &found) != 0
        || !found)
        return absl::UnavailableError(absl::StrCat(flag, ": cannot resolve ", host));
    int fd = -1;
    std::string why;
    for (addrinfo *a = found; a && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
            why = std::strerror(errno);
            ::close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    if (fd < 0)
        return absl::UnavailableError(
            absl::StrCat(flag, ": cannot listen on ", address, why.empty() ? "" : ": ", why));
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &len);
    const int boundPort = ntohs(bound.ss_family == AF_INET6
                                    ? reinterpret_cast<sockaddr_in6 &>(bound).sin6_port
                                    : reinterpret_cast<sockaddr_in &>(bound).sin_port);
    m_impl->listenFd = fd;

    const int count = std::max(1, m_impl->options.loops);
    for (int i = 0; i < count; ++i) {
        auto loop = std::make_unique<Impl::Loop>();
        loop->shared->epoll = epoll_create1(EPOLL_CLOEXEC);
        loop->shared->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kWakeId;
        epoll_ctl(loop->shared->epoll, EPOLL_CTL_ADD, loop->shared->wake, &ev);
        if (i == 0) {
            ev.data.u64 = kListenId;
            epoll_ctl(loop->shared->epoll, EPOLL_CTL_ADD, fd, &ev);
        }
        m_impl->loops.push_back(std::move(loop));
    }
    for (int i = 0; i < count; ++i) {
        Impl::Loop &loop = *m_impl->loops[i];
        loop.thread = std::thread([this, &loop] { m_impl->run(loop); });
        const std::string name =
            (m_impl->options.threadName + "-" + std::to_string(i)).substr(0, 15);
        pthread_setname_np(loop.thread.native_handle(), name.c_str());
    }
    return absl::StrCat(host, ":", boundPort);
}

void HttpServer::stop()
{
    if (m_impl->stopped)
        return;
    m_impl->stopped = true;
    m_impl->stopping = true;
    for (auto &loop : m_impl->loops) {
        uint64_t one = 1;
        [[maybe_unused]] ssize_t n = ::write(loop->shared->wake, &one, sizeof one);
    }
    for (auto &loop : m_impl->loops)
        if (loop->thread.joinable())
            loop->thread.join();
    for (auto &loop : m_impl->loops) {
        {
            std::lock_guard lock(loop->shared->mutex);
            loop->shared->stopped = true;
            for (auto &p : loop->shared->posted)
                if (p.kind == LoopShared::Kind::Adopt)
                    ::close(p.fd);
            loop->shared->posted.clear();
        }
        for (auto &[id, c] : loop->connections) {
            std::lock_guard lock(c->mutex);
            c->closeNow();
        }
        loop->connections.clear();
    }
    m_impl->open = 0;
    if (m_impl->listenFd >= 0)
        ::close(m_impl->listenFd);
    m_impl->listenFd = -1;
}

size_t HttpServer::connections() const { return m_impl->open.load(); }

}  // namespace coord::net
