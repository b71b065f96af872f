#include "plainhttptransport.h"

#include "latecalls.h"

#include "engine/threadname.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace coord::invokers::http {

namespace {

constexpr int64_t kDnsCacheMs = 60'000;  // libcurl's default
constexpr int64_t kMaxConnectMs = 5'000;
constexpr size_t kReadBuffer = 64 * 1024;

int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string keyOf(const PlainUrl &url) { return url.host + ":" + std::to_string(url.port); }

std::string errnoText(int error) { return std::strerror(error); }

bool redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

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

PlainHttpTransport::PlainHttpTransport(Transport &others, size_t maxConnectionsPerHost)
    : m_others(others),
      m_maxPerHost(std::max<size_t>(1, maxConnectionsPerHost)),
      m_buffer(kReadBuffer)
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = 0;  // connection ids start at 1
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &ev);
    m_resolver = std::thread([this] {
        engine::nameThisThread("http-resolver");
        resolveLoop();
    });
    m_thread = std::thread([this] {
        engine::nameThisThread("http-invoker");
        run();
    });
}

PlainHttpTransport::~PlainHttpTransport()
{
    {
        std::lock_guard lock(m_resolveMutex);  // else the resolver may miss the notify
        m_stopping = true;
    }
    uint64_t one = 1;
    (void)!::write(m_wake, &one, sizeof one);
    m_resolveCv.notify_all();
    m_thread.join();
    m_resolver.join();
    ::close(m_wake);
    ::close(m_epoll);
}

void PlainHttpTransport::send(Request request, Done done)
{
    auto *call = new Call;
    call->request = std::move(request);
    call->done = std::move(done);
    bool wake = false, closed = false;
    {
        std::lock_guard lock(m_mutex);
        closed = m_closed;
        // One wake-up per batch, none from the loop's own thread (it looks before it waits).
        wake = !closed && m_incoming.empty() && m_resolved.empty()
            && std::this_thread::get_id() != m_thread.get_id();
        if (!closed)
            m_incoming.push_back(call);
    }
    if (closed)
        return fail(call, "coordinator shutting down");
    if (wake) {
        uint64_t one = 1;
        (void)!::write(m_wake, &one, sizeof one);
    }
}

// Names are resolved off the loop (getaddrinfo blocks), one at a time, and handed back.
void PlainHttpTransport::resolveLoop()
{
    for (;;) {
        std::pair<std::string, std::pair<std::string, uint16_t>> job;
        {
            std::unique_lock lock(m_resolveMutex);
            m_resolveCv.wait(lock, [&] { return m_stopping || !m_toResolve.empty(); });
            if (m_stopping)
                return;
            job = std::move(m_toResolve.front());
            m_toResolve.pop_front();
        }
        Resolution r;
        r.key = job.first;
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;  // not AI_ADDRCONFIG: it hides localhost on a machine
                                          // with only loopback; every address is tried anyway
        addrinfo *list = nullptr;
        std::string port = std::to_string(job.second.second);
        int rc = getaddrinfo(job.second.first.c_str(), port.c_str(), &hints, &list);
        if (rc != 0) {
            r.error = "cannot resolve " + job.second.first + ": " + gai_strerror(rc);
        } else {
            for (addrinfo *a = list; a; a = a->ai_next) {
                Address address;
                std::memcpy(&address.addr, a->ai_addr, a->ai_addrlen);
                address.length = a->ai_addrlen;
                r.addresses.push_back(address);
            }
            freeaddrinfo(list);
        }
        bool wake = false;
        {
            std::lock_guard lock(m_mutex);
            wake = m_incoming.empty() && m_resolved.empty();
            m_resolved.push_back(std::move(r));
        }
        if (wake) {
            uint64_t one = 1;
            (void)!::write(m_wake, &one, sizeof one);
        }
    }
}

void PlainHttpTransport::run()
{
    std::vector<epoll_event> events(128);
    for (;;) {
        std::deque<Call *> calls;
        std::deque<Resolution> resolutions;
        {
            std::lock_guard lock(m_mutex);
            calls.swap(m_incoming);
            resolutions.swap(m_resolved);
        }
        for (Resolution &r : resolutions)
            resolved(std::move(r));
        for (Call *call : calls)
            start(call);
        if (m_stopping)
            break;
        int timeout = 1000;
        {
            std::lock_guard lock(m_mutex);
            if (!m_incoming.empty() || !m_resolved.empty())
                timeout = 0;  // calls started by the results above
        }
        if (timeout && !m_deadlines.empty())
            timeout = static_cast<int>(
                std::clamp<int64_t>(m_deadlines.begin()->first - nowMs() + 1, 0, 1000));
        int n = epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()), timeout);
        for (int i = 0; i < n; ++i) {
            uint64_t id = events[i].data.u64;
            if (id == 0) {
                uint64_t count = 0;
                (void)!::read(m_wake, &count, sizeof count);
                continue;
            }
            // A connection closed earlier in this batch is gone: its events with it.
            auto it = m_connections.find(id);
            if (it != m_connections.end())
                onEvent(it->second.get(), events[i].events);
        }
        expire(nowMs());
    }
    shutDown();
}

void PlainHttpTransport::start(Call *call)
{
    auto url = parsePlainUrl(call->request.url);
    if (!url) {  // a redirect to https:// or a URL only libcurl knows what to do with
        m_others.send(std::move(call->request), std::move(call->done));
        delete call;
        return;
    }
    call->url = std::move(*url);
    std::string error;
    call->wire = serialize(call->request, call->url, &error);
    if (!error.empty())
        return finish(call, Response{0, {}, error});
    call->key = keyOf(call->url);
    call->startedMs = nowMs();
    constexpr int64_t kLongestMs = 24LL * 3600 * 1000;  // no overflow for any request_timeout
    call->deadlineMs = call->startedMs
        + std::clamp<int64_t>(call->request.timeoutMs, 1, kLongestMs);
    setDeadline(call, call->deadlineMs);
    Origin &origin = m_origins[call->key];
    if (origin.host.empty()) {
        origin.host = call->url.host;
        origin.port = call->url.port;
    }
    if (!origin.addresses.empty() && !origin.resolving
        && call->startedMs - origin.resolvedAtMs > kDnsCacheMs) {
        // Stale: resolved again, the calls meanwhile still use what is known.
        origin.resolving = true;
        std::lock_guard lock(m_resolveMutex);
        m_toResolve.push_back({call->key, {origin.host, origin.port}});
        m_resolveCv.notify_one();
    }
    if (origin.addresses.empty()) {
        // An IP address needs no resolver.
        Address address;
        auto *v4 = reinterpret_cast<sockaddr_in *>(&address.addr);
        auto *v6 = reinterpret_cast<sockaddr_in6 *>(&address.addr);
        if (inet_pton(AF_INET, origin.host.c_str(), &v4->sin_addr) == 1) {
            v4->sin_family = AF_INET;
            v4->sin_port = htons(origin.port);
            address.length = sizeof *v4;
        } else if (inet_pton(AF_INET6, origin.host.c_str(), &v6->sin6_addr) == 1) {
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons(origin.port);
            address.length = sizeof *v6;
        }
        if (address.length) {
            origin.addresses.push_back(address);
            origin.resolvedAtMs = INT64_MAX / 2;  // never stale
        }
    }
    if (origin.addresses.empty()) {
        origin.waiting.push_back(call);
        if (!origin.resolving) {
            origin.resolving = true;
            std::lock_guard lock(m_resolveMutex);
            m_toResolve.push_back({call->key, {origin.host, origin.port}});
            m_resolveCv.notify_one();
        }
        return;
    }
    dispatch(origin, call, false);
}

void PlainHttpTransport::resolved(Resolution resolution)
{
    auto it = m_origins.find(resolution.key);
    if (it == m_origins.end())
        return;
    Origin &origin = it->second;
    origin.resolving = false;
    if (!resolution.error.empty() || resolution.addresses.empty()) {
        if (!origin.addresses.empty())
            return;  // a refresh failed: keep using what worked
        std::deque<Call *> waiting;
        waiting.swap(origin.waiting);
        for (Call *call : waiting)
            fail(call,
                 resolution.error.empty() ? "cannot resolve " + origin.host : resolution.error);
        return;
    }
    origin.addresses = std::move(resolution.addresses);
    origin.preferred = 0;
    origin.resolvedAtMs = nowMs();
    serveWaiting(origin);
}

// An idle connection if there is one, a new one if the limit allows, else the queue.
void PlainHttpTransport::dispatch(Origin &origin, Call *call, bool fresh)
{
    if (!fresh && !origin.idle.empty()) {
        Connection *c = origin.idle.back();
        origin.idle.pop_back();
        c->reused = true;
        attach(c, call);
        return;
    }
    if (fresh && !origin.idle.empty() && origin.open >= m_maxPerHost) {
        close(origin.idle.front());  // make room for the fresh one
    }
    if (origin.open >= m_maxPerHost) {
        origin.waiting.push_back(call);
        return;
    }
    connect(origin, call, origin.preferred);
}

void PlainHttpTransport::connect(Origin &origin, Call *call, size_t addressIndex)
{
    const Address &address = origin.addresses[addressIndex % origin.addresses.size()];
    int fd = ::socket(address.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {  // e.g. an IPv6 address on a machine without IPv6: the next one
        int error = errno;
        if (++call->addressesTried < origin.addresses.size())
            return connect(origin, call, addressIndex + 1);
        return fail(call, "cannot open a socket to " + call->key + ": " + errnoText(error));
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto owned = std::make_unique<Connection>();
    Connection *c = owned.get();
    c->id = m_nextConnectionId++;
    c->fd = fd;
    c->origin = &origin;
    c->addressIndex = addressIndex % origin.addresses.size();
    c->connecting = true;
    m_connections.emplace(c->id, std::move(owned));
    ++origin.open;
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;  // as watch(c, true): an early answer is read too
    ev.data.u64 = c->id;
    c->watchingWrite = true;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    c->call = call;
    call->connection = c;
    setDeadline(
        call,
        std::min(call->deadlineMs, nowMs() + std::min(call->request.timeoutMs, kMaxConnectMs)));
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address.addr), address.length) == 0)
        connected(c);
    else if (errno != EINPROGRESS)
        lost(c, "cannot connect to " + call->key + ": " + errnoText(errno));
}

void PlainHttpTransport::connected(Connection *c)
{
    c->connecting = false;
    c->origin->preferred = c->addressIndex;
    setDeadline(c->call, c->call->deadlineMs);
    attach(c, c->call);
}

void PlainHttpTransport::attach(Connection *c, Call *call)
{
    c->call = call;
    call->connection = c;
    c->written = 0;
    c->parser = ResponseParser();
    if (!c->connecting)
        write(c);
}

void PlainHttpTransport::watch(Connection *c, bool writable)
{
    if (c->watchingWrite == writable)
        return;
    c->watchingWrite = writable;
    epoll_event ev{};
    ev.events = writable ? EPOLLOUT | EPOLLIN : EPOLLIN;
    ev.data.u64 = c->id;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, c->fd, &ev);
}

void PlainHttpTransport::write(Connection *c)
{
    const std::string &wire = c->call->wire;
    while (c->written < wire.size()) {
        ssize_t n = ::send(c->fd, wire.data() + c->written, wire.size() - c->written, MSG_NOSIGNAL);
        if (n > 0) {
            c->written += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            watch(c, true);
            return;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return lost(c, "cannot send to " + c->call->key + ": " + errnoText(errno));
    }
    watch(c, false);
}

void PlainHttpTransport::onEvent(Connection *c, uint32_t events)
{
    if (c->connecting) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0 || (events & (EPOLLERR | EPOLLHUP)))
            return lost(c,
                        "cannot connect to " + c->call->key + ": "
                            + errnoText(error ? error : ECONNREFUSED));
        return connected(c);
    }
    if ((events & EPOLLOUT) && c->call && c->written < c->call->wire.size()) {
        uint64_t id = c->id;
        write(c);
        if (m_connections.count(id) == 0)
            return;  // the send failed and took the connection with it
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        read(c);
}

void PlainHttpTransport::read(Connection *c)
{
    for (;;) {
        ssize_t n = ::recv(c->fd, m_buffer.data(), m_buffer.size(), 0);
        int error = errno;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (!c->call)  // idle: the server closed it (or talks out of turn)
            return close(c);
        if (n <= 0) {
            if (n == 0 && c->parser.closed() == ResponseParser::State::Complete)
                return completed(c, false);
            std::string why = n == 0
                ? c->parser.error()
                : "the connection to " + c->call->key + " failed: " + errnoText(error);
            return lost(c, why);
        }
        size_t used = 0;
        auto state = c->parser.feed(m_buffer.data(), static_cast<size_t>(n), &used);
        if (state == ResponseParser::State::Invalid)
            return lost(c, c->parser.error());
        if (state == ResponseParser::State::Complete)
            return completed(c, used < static_cast<size_t>(n));  // bytes after it: not reusable
        if (static_cast<size_t>(n) < m_buffer.size())
            return;  // level-triggered: the rest comes with the next event
    }
}

// The connection failed while it served a call: another address, a fresh connection (a reused
// one the server had closed before it saw the request, as libcurl does), or the call fails.
void PlainHttpTransport::lost(Connection *c, std::string why)
{
    Call *call = c->call;
    Origin &origin = *c->origin;
    bool wasConnecting = c->connecting;
    bool unanswered = c->reused && !c->parser.started();
    size_t next = c->addressIndex + 1;
    close(c);
    if (wasConnecting && ++call->addressesTried < origin.addresses.size())
        connect(origin, call, next);
    else if (!wasConnecting && unanswered && !call->retried) {
        call->retried = true;
        dispatch(origin, call, true);
    } else {
        fail(call, std::move(why));
    }
    serveWaiting(origin);
}

void PlainHttpTransport::completed(Connection *c, bool leftover)
{
    Call *call = c->call;
    Origin &origin = *c->origin;
    Response response;
    response.status = c->parser.status();
    response.body = c->parser.body();
    std::string location = c->parser.location();
    // An answer before the whole request went out (a 413, say): the rest would follow it.
    bool sentWhole = c->written == call->wire.size();
    c->call = nullptr;
    call->connection = nullptr;
    if (c->parser.keepAlive() && !leftover && sentWhole)
        origin.idle.push_back(c);
    else
        close(c);
    serveWaiting(origin);
    if (!redirect(response.status) || location.empty())
        return finish(call, std::move(response));
    // As Go's client (so DTM's) and libcurl: follow it; 301/302/303 turn a POST into a GET.
    if (call->request.redirectsLeft <= 0)
        return fail(call, "stopped after too many redirects (the last to " + location + ")");
    int64_t left = call->deadlineMs - nowMs();
    if (left <= 0)
        return fail(call,
                    "timed out after " + std::to_string(call->request.timeoutMs)
                        + " ms following redirects");
    Request next = std::move(call->request);
    next.url = resolveLocation(next.url, location);
    auto nextUrl = parsePlainUrl(next.url);
    if (!nextUrl || keyOf(*nextUrl) != call->key)  // as Go and libcurl: credentials stay home
        std::erase_if(next.headers,
                      [](const auto &header) { return credentialHeader(header.first); });
    next.timeoutMs = left;
    --next.redirectsLeft;
    if (response.status != 307 && response.status != 308) {
        next.post = false;
        next.body.clear();
    }
    Done done = std::move(call->done);
    setDeadline(call, 0);
    delete call;
    auto *again = new Call;
    again->request = std::move(next);
    again->done = std::move(done);
    start(again);
}

void PlainHttpTransport::close(Connection *c)
{
    Origin &origin = *c->origin;
    std::erase(origin.idle, c);
    ::close(c->fd);  // out of the epoll set with it
    --origin.open;
    if (c->call)
        c->call->connection = nullptr;
    m_connections.erase(c->id);
}

void PlainHttpTransport::serveWaiting(Origin &origin)
{
    if (origin.serving)
        return;  // the outer loop goes on with it (no recursion per refused connect)
    origin.serving = true;
    while (!origin.waiting.empty() && !origin.addresses.empty()
           && (!origin.idle.empty() || origin.open < m_maxPerHost)) {
        Call *call = origin.waiting.front();
        origin.waiting.pop_front();
        dispatch(origin, call, false);
    }
    origin.serving = false;
}

void PlainHttpTransport::finish(Call *call, Response response)
{
    setDeadline(call, 0);
    Done done = std::move(call->done);
    delete call;
    done(std::move(response));
}

void PlainHttpTransport::fail(Call *call, std::string error)
{
    Response response;
    response.transportError = std::move(error);
    finish(call, std::move(response));
}

// 0 disarms.
void PlainHttpTransport::setDeadline(Call *call, int64_t deadlineMs)
{
    if (call->armedMs)
        m_deadlines.erase({call->armedMs, call});
    call->armedMs = deadlineMs;
    if (deadlineMs)
        m_deadlines.insert({deadlineMs, call});
}

void PlainHttpTransport::expire(int64_t now)
{
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
        Call *call = m_deadlines.begin()->second;
        std::string after = std::to_string(now - call->startedMs) + " ms";
        Origin &origin = m_origins[call->key];
        std::string why;
        Connection *c = call->connection;
        if (c && c->connecting && call->deadlineMs > now
            && call->addressesTried + 1 < origin.addresses.size()) {
            // This address does not answer (a black-holed IPv6 route, say): the next one.
            size_t next = c->addressIndex + 1;
            ++call->addressesTried;
            setDeadline(call, 0);
            close(c);
            connect(origin, call, next);
            continue;
        }
        if (c) {
            why = c->connecting
                ? "connecting to " + call->key + " timed out after " + after
                : "timed out after " + after + " waiting for " + call->key + " to answer";
            c->call = nullptr;
            close(c);
        } else {
            std::erase(origin.waiting, call);
            why = origin.addresses.empty()
                ? "timed out after " + after + " resolving " + origin.host
                : "timed out after " + after + " waiting for a free connection to " + call->key
                    + " (" + std::to_string(m_maxPerHost) + " busy)";
        }
        fail(call, why);
        serveWaiting(origin);
    }
}

// Everyone still waiting gets an answer.
void PlainHttpTransport::shutDown()
{
    std::vector<Call *> calls;
    for (auto &[id, c] : m_connections) {
        if (c->call)
            calls.push_back(c->call);
        ::close(c->fd);
    }
    m_connections.clear();
    for (auto &[key, origin] : m_origins)
        calls.insert(calls.end(), origin.waiting.begin(), origin.waiting.end());
    m_origins.clear();
    m_deadlines.clear();
    for (Call *call : calls) {
        call->armedMs = 0;
        fail(call, "coordinator shutting down");
    }
    answerLateCalls(m_mutex, m_incoming, m_closed,
                    [this](Call *call) { fail(call, "coordinator shutting down"); });
}

}  // namespace coord::invokers::http
