#include "hostresolver.h"

#include "engine/threadname.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

namespace coord::invokers::http {

HostResolver::HostResolver(Resolved onResolved)
    : m_onResolved(std::move(onResolved)), m_thread([this] {
          engine::nameThisThread("http-resolver");
          run();
      })
{}

HostResolver::~HostResolver()
{
    stop();
    m_thread.join();
}

void HostResolver::stop()
{
    {
        std::lock_guard lock(m_mutex);  // else the thread may miss the notify
        m_stopping = true;
    }
    m_cv.notify_all();
}

void HostResolver::resolve(std::string key, std::string host, uint16_t port)
{
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back({std::move(key), std::move(host), port});
    }
    m_cv.notify_one();
}

std::optional<HostResolver::Address> HostResolver::literal(const std::string &host, uint16_t port)
{
    Address address;
    auto *v4 = reinterpret_cast<sockaddr_in *>(&address.addr);
    auto *v6 = reinterpret_cast<sockaddr_in6 *>(&address.addr);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        address.length = sizeof *v4;
    } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        address.length = sizeof *v6;
    }
    if (!address.length)
        return std::nullopt;
    return address;
}

void HostResolver::run()
{
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_stopping || !m_jobs.empty(); });
            if (m_stopping)
                return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        m_onResolved(lookUp(job));
    }
}

HostResolver::Resolution HostResolver::lookUp(const Job &job)
{
    Resolution r;
    r.key = job.key;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;  // not AI_ADDRCONFIG: it hides localhost on a machine with
                                      // only loopback; every address is tried anyway
    addrinfo *list = nullptr;
    std::string port = std::to_string(job.port);
    int rc = getaddrinfo(job.host.c_str(), port.c_str(), &hints, &list);
    if (rc != 0) {
        r.error = "cannot resolve " + job.host + ": " + gai_strerror(rc);
        return r;
    }
    for (addrinfo *a = list; a; a = a->ai_next) {
        Address address;
        std::memcpy(&address.addr, a->ai_addr, a->ai_addrlen);
        address.length = a->ai_addrlen;
        r.addresses.push_back(address);
    }
    freeaddrinfo(list);
    if (r.addresses.empty())
        r.error = "cannot resolve " + job.host;
    return r;
}

}  // namespace coord::invokers::http
