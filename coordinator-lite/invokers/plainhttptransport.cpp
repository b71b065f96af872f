#include "plainhttpcall.h"

#include "latecalls.h"

#include "engine/threadname.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace coord::invokers::http {

namespace {

constexpr int64_t kDnsCacheMs = 60'000;  // libcurl's default
constexpr size_t kReadBuffer = 64 * 1024;

}  // namespace

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
    m_resolver = std::make_unique<HostResolver>([this](Resolution r) {
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
    });
    m_thread = std::thread([this] {
        engine::nameThisThread("http-invoker");
        run();
    });
}

PlainHttpTransport::~PlainHttpTransport()
{
    m_stopping = true;
    m_resolver->stop();  // no new lookup while the loop winds down
    uint64_t one = 1;
    (void)!::write(m_wake, &one, sizeof one);
    m_thread.join();
    m_resolver.reset();  // before m_wake closes: it writes to it
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
        resolve(origin, call->key);
    }
    if (origin.addresses.empty()) {
        if (auto address = HostResolver::literal(origin.host, origin.port)) {
            origin.addresses.push_back(*address);
            origin.resolvedAtMs = INT64_MAX / 2;  // never stale
        }
    }
    if (origin.addresses.empty()) {
        origin.waiting.push_back(call);
        if (!origin.resolving)
            resolve(origin, call->key);
        return;
    }
    dispatch(origin, call, false);
}

void PlainHttpTransport::resolve(Origin &origin, const std::string &key)
{
    origin.resolving = true;
    m_resolver->resolve(key, origin.host, origin.port);
}

void PlainHttpTransport::resolved(Resolution resolution)
{
    auto it = m_origins.find(resolution.key);
    if (it == m_origins.end())
        return;
    Origin &origin = it->second;
    origin.resolving = false;
    if (resolution.addresses.empty()) {  // the resolver says why
        if (!origin.addresses.empty())
            return;  // a refresh failed: keep using what worked
        std::deque<Call *> waiting;
        waiting.swap(origin.waiting);
        for (Call *call : waiting)
            fail(call, resolution.error);
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
