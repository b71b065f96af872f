#include "faultyhttp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace testsupport {

namespace {

// A socket bound to 127.0.0.1 on a free port; listening only when asked.
int bindLoopback(int *port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        ::close(fd);
        return -1;
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

bool sendAll(int fd, const std::string &data)
{
    size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

std::string queryValue(const std::string &query, const std::string &key)
{
    size_t pos = 0;
    while (pos <= query.size()) {
        size_t end = query.find('&', pos);
        if (end == std::string::npos)
            end = query.size();
        std::string pair = query.substr(pos, end - pos);
        if (pair.rfind(key + "=", 0) == 0)
            return pair.substr(key.size() + 1);
        pos = end + 1;
    }
    return {};
}

size_t contentLength(const std::string &headers)
{
    std::string lower = headers;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    size_t at = lower.find("\r\ncontent-length:");
    return at == std::string::npos ? 0 : std::stoul(lower.substr(at + 17));
}

// Reads one request (headers and body) from a keep-alive connection into `call`; false once
// the peer has closed it. `buffer` carries bytes of the next request over.
bool readRequest(int fd, std::string &buffer, FaultyHttp::Call &call)
{
    char chunk[4096];
    auto fill = [&](size_t atLeast) {
        while (buffer.size() < atLeast) {
            ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0)
                return false;
            buffer.append(chunk, static_cast<size_t>(n));
        }
        return true;
    };
    size_t headerEnd;
    while ((headerEnd = buffer.find("\r\n\r\n")) == std::string::npos)
        if (!fill(buffer.size() + 1))
            return false;
    const std::string headers = buffer.substr(0, headerEnd + 2);
    const size_t total = headerEnd + 4 + contentLength(headers);
    if (!fill(total))
        return false;
    buffer.erase(0, total);
    // "POST /path?query HTTP/1.1"
    const size_t from = headers.find(' ') + 1;
    const std::string target = headers.substr(from, headers.find(' ', from) - from);
    const size_t q = target.find('?');
    const std::string query = q == std::string::npos ? "" : target.substr(q + 1);
    call = {target.substr(1, q == std::string::npos ? q : q - 1), queryValue(query, "gid"),
            queryValue(query, "op")};
    return true;
}

}  // namespace

Fault Fault::answer(int status, std::string body)
{
    Fault f;
    f.status = status;
    f.body = std::move(body);
    return f;
}

Fault Fault::slow(int delayMs)
{
    Fault f;
    f.delayMs = delayMs;
    return f;
}

Fault Fault::resetMidResponse()
{
    Fault f;
    f.kind = Kind::ResetMidResponse;
    return f;
}

Fault Fault::notHttp()
{
    Fault f;
    f.kind = Kind::NotHttp;
    return f;
}

FaultyHttp::FaultyHttp() = default;

FaultyHttp::~FaultyHttp() { stop(); }

bool FaultyHttp::start()
{
    m_listenFd = bindLoopback(&m_port);
    m_refusedFd = bindLoopback(&m_refusedPort);
    if (m_listenFd < 0 || m_refusedFd < 0 || ::listen(m_listenFd, 64) != 0)
        return false;
    m_acceptor = std::thread([this] { acceptLoop(); });
    return true;
}

void FaultyHttp::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_listenFd < 0)
            return;
        m_stopping = true;
        for (int fd : m_openFds)
            ::shutdown(fd, SHUT_RDWR);  // wakes the connection threads blocked in recv
    }
    m_stopped.notify_all();
    ::shutdown(m_listenFd, SHUT_RDWR);  // wakes accept()
    if (m_acceptor.joinable())
        m_acceptor.join();
    for (std::thread &t : m_connections)  // no new ones once the acceptor is gone
        t.join();
    ::close(m_listenFd);
    if (m_refusedFd >= 0)
        ::close(m_refusedFd);
}

std::string FaultyHttp::url(const std::string &path) const
{
    return "http://127.0.0.1:" + std::to_string(m_port) + "/" + path;
}

std::string FaultyHttp::refusedUrl(const std::string &path) const
{
    return "http://127.0.0.1:" + std::to_string(m_refusedPort) + "/" + path;
}

void FaultyHttp::script(const std::string &path, std::vector<Fault> next)
{
    std::lock_guard lock(m_mutex);
    for (Fault &f : next)
        m_scripts[path].push_back(std::move(f));
}

void FaultyHttp::setDefault(const std::string &path, Fault fault)
{
    std::lock_guard lock(m_mutex);
    m_defaults[path] = std::move(fault);
}

std::vector<FaultyHttp::Call> FaultyHttp::calls() const
{
    std::lock_guard lock(m_mutex);
    return m_calls;
}

int FaultyHttp::callCount(const std::string &path) const
{
    std::lock_guard lock(m_mutex);
    return static_cast<int>(std::count_if(m_calls.begin(), m_calls.end(),
                                          [&](const Call &c) { return c.path == path; }));
}

Fault FaultyHttp::next(const Call &call)
{
    std::lock_guard lock(m_mutex);
    m_calls.push_back(call);
    auto &queue = m_scripts[call.path];
    if (!queue.empty()) {
        Fault f = std::move(queue.front());
        queue.pop_front();
        return f;
    }
    auto it = m_defaults.find(call.path);
    return it == m_defaults.end() ? Fault{} : it->second;
}

bool FaultyHttp::pause(int ms)
{
    std::unique_lock lock(m_mutex);
    return !m_stopped.wait_for(lock, std::chrono::milliseconds(ms), [this] { return m_stopping; });
}

void FaultyHttp::acceptLoop()
{
    for (;;) {
        int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC);
        std::lock_guard lock(m_mutex);
        if (fd < 0 || m_stopping) {
            if (fd >= 0)
                ::close(fd);
            if (m_stopping)
                return;
            continue;
        }
        m_openFds.insert(fd);
        m_connections.emplace_back([this, fd] { serve(fd); });
    }
}

void FaultyHttp::serve(int fd)
{
    std::string buffer;
    Call call;
    bool keepOpen = true;
    while (keepOpen && readRequest(fd, buffer, call)) {
        const Fault f = next(call);
        if (f.delayMs > 0 && !pause(f.delayMs))
            break;
        switch (f.kind) {
        case Fault::Kind::Answer:
            keepOpen = sendAll(fd,
                               "HTTP/1.1 " + std::to_string(f.status)
                                   + " Scripted\r\nContent-Type: application/json\r\n"
                                   + "Content-Length: " + std::to_string(f.body.size()) + "\r\n\r\n"
                                   + f.body);
            break;
        case Fault::Kind::ResetMidResponse: {
            sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Ty");
            linger hard{1, 0};  // close() now sends RST instead of FIN
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
            keepOpen = false;
            break;
        }
        case Fault::Kind::NotHttp:
            sendAll(fd, std::string("\x16\x03\x01\x00\xff garbage \x80\xfe\r\n\r\n", 20));
            keepOpen = false;
            break;
        }
    }
    std::lock_guard lock(m_mutex);
    m_openFds.erase(fd);
    ::close(fd);
}

}  // namespace testsupport
