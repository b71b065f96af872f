#include "httpconnection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace coord::net::server {

namespace {

// After its last answer a connection is shut for writing and read until the client closes, at
// most this long: closing it with a body still unread would reset it, and the client could lose
// the answer (a 413 before the body it refused).
constexpr int64_t kLingerMs = 2'000;

}  // namespace

LoopShared::~LoopShared()
{
    for (int fd : {epoll, wake})
        if (fd >= 0)
            ::close(fd);
}

void LoopShared::post(Posted p)
{
    {
        std::lock_guard lock(mutex);
        if (stopped) {
            if (p.kind == Kind::Adopt)
                ::close(p.fd);
            return;
        }
        posted.push_back(std::move(p));
    }
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake, &one, sizeof one);
}

void Connection::interest()
{
    epoll_event ev{};
    ev.events = (readPaused ? 0u : uint32_t(EPOLLIN)) | (watchingOut ? uint32_t(EPOLLOUT) : 0u);
    ev.data.u64 = id;
    epoll_ctl(loop->epoll, EPOLL_CTL_MOD, fd, &ev);
}

void Connection::closeNow()
{
    if (fd < 0)
        return;
    ::close(fd);  // leaves the epoll set with it
    fd = -1;
    inFlight = false;
    out.clear();
    in.clear();
}

void Connection::linger()
{
    if (fd < 0 || lingerUntilMs)
        return;
    ::shutdown(fd, SHUT_WR);
    lingerUntilMs = nowMs() + kLingerMs;
    inFlight = false;
    in.clear();
    inUsed = 0;
    if (readPaused || watchingOut) {
        readPaused = watchingOut = false;
        interest();
    }
}

void Connection::finishExchange()
{
    inFlight = answered = false;
    lastActiveMs = nowMs();
    if (closeAfter) {
        // At once, from whichever thread: nothing the client sent after it is read as a
        // request (shutdown and epoll_ctl may be called while the loop waits).
        linger();
        return;
    }
    if (readPaused) {
        readPaused = false;
        interest();
    }
    if (inUsed < in.size())  // pipelined: parsed on the loop
        loop->post({LoopShared::Kind::Resume, id, -1, {}});
}

void Connection::flush()
{
    lastSendMs = nowMs();
    while (outSent < out.size()) {
        ssize_t n = ::send(fd, out.data() + outSent, out.size() - outSent,
                           MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            outSent += static_cast<size_t>(n);
            lastSendMs = nowMs();
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!watchingOut) {
                watchingOut = true;
                interest();
            }
            return;
        }
        closeAfter = true;  // the client is gone
        out.clear();
        outSent = 0;
        if (answered)
            finishExchange();
        else
            linger();
        return;
    }
    out.clear();
    outSent = 0;
    if (watchingOut) {
        watchingOut = false;
        interest();
    }
    if (answered)
        finishExchange();
}

void Connection::answer(const HttpResponse &response)
{
    out += serializeResponse(response, !closeAfter, http10, headOnly);
    answered = true;
    if (!watchingOut)  // otherwise the loop sends it after what is still queued
        flush();
}

void respond(const std::shared_ptr<Connection> &c, HttpResponse response)
{
    std::lock_guard lock(c->mutex);
    if (c->fd < 0 || !c->inFlight || c->answered)
        return;
    c->answer(response);
}

}  // namespace coord::net::server
