#include "plainhttpcall.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

// PlainHttpTransport's connections: connecting (each address in turn), writing a request,
// reading its answer, keeping the connection or closing it, following a redirect.
namespace coord::invokers::http {

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
    if (!isRedirect(response.status) || location.empty())
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

}  // namespace coord::invokers::http
