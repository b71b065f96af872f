#pragma once

#include "engine/branchinvoker.h"

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

namespace coord::invokers {

// HTTP(S) participants through one libcurl multi handle on its own thread: asynchronous,
// keep-alive connections reused across calls, thousands in flight.
class HttpInvoker : public engine::BranchInvoker
{
public:
    explicit HttpInvoker(long maxConnectionsPerHost = 64);
    ~HttpInvoker() override;  // answers calls still in flight with a transient error

    void invoke(engine::BranchCall call, Done done) override;

private:
    struct Request;
    void run();
    static void configure(Request &request);
    static engine::CallResult resultOf(Request &request, int curlCode);

    void *m_multi = nullptr;  // CURLM*
    std::mutex m_mutex;
    std::deque<Request *> m_incoming;
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

}  // namespace coord::invokers
