#pragma once

#include "httptransport.h"

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

namespace coord::invokers::http {

// HTTPS (and any URL the plain client does not serve) through one libcurl multi handle on its
// own thread: asynchronous, keep-alive connections reused across calls, redirects followed.
class CurlTransport : public Transport
{
public:
    explicit CurlTransport(long maxConnectionsPerHost = 64);
    ~CurlTransport() override;  // answers calls still in flight with a transient error

    void send(Request request, Done done) override;

private:
    struct Call;
    void run();
    static void configure(Call &call);
    static Response responseOf(Call &call, int curlCode);

    void *m_multi = nullptr;  // CURLM*
    std::mutex m_mutex;
    std::deque<Call *> m_incoming;
    bool m_closed = false;  // after shutdown: send() answers at once (guarded by m_mutex)
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

}  // namespace coord::invokers::http
