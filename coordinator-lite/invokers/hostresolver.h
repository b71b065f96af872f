#pragma once

#include <sys/socket.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace coord::invokers::http {

// Host names resolved off the HTTP loop (getaddrinfo blocks), one at a time on a thread of its
// own, each answer handed to `onResolved` on that thread.
class HostResolver
{
public:
    struct Address {
        sockaddr_storage addr{};
        socklen_t length = 0;
    };
    struct Resolution {
        std::string key;  // as asked
        std::vector<Address> addresses;
        std::string error;  // set when there are no addresses
    };
    using Resolved = std::function<void(Resolution)>;

    explicit HostResolver(Resolved onResolved);
    ~HostResolver();  // stop(), then waits for the lookup under way

    // Names still queued are not resolved; returns at once.
    void stop();

    void resolve(std::string key, std::string host, uint16_t port);
    // An IPv4 or IPv6 address needs no resolver.
    static std::optional<Address> literal(const std::string &host, uint16_t port);

private:
    struct Job {
        std::string key, host;
        uint16_t port = 0;
    };
    void run();
    static Resolution lookUp(const Job &job);

    Resolved m_onResolved;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Job> m_jobs;
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace coord::invokers::http
