#pragma once

#include "httprequest.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace coord::net {

// Requests by method and path to their handlers, whichever server read them (httpserver.h, or
// httplib for HTTPS: httplibbridge.h). A handler that may block (a store read, a simulated
// participant's delay) runs on the router's workers, so the loop that read its request goes on.
class HttpRouter
{
public:
    using Handler = std::function<void(const HttpRequest &, HttpResponder)>;
    enum class Run { Inline, OnWorker };

    explicit HttpRouter(size_t workers = 4);
    ~HttpRouter();  // after the servers that feed it have stopped

    void add(const std::string &method, const std::string &path, Run run, Handler handler);
    // Every path under `prefix` (which ends with '/').
    void addPrefix(const std::string &method, const std::string &prefix, Run run, Handler handler);

    // 404 for a path nothing serves, 405 for a method it does not take.
    void handle(HttpRequest request, HttpResponder respond);

private:
    struct Route {
        Run run;
        Handler handler;
    };
    struct Job {
        const Route *route;
        HttpRequest request;
        HttpResponder respond;
    };
    const Route *find(const std::string &method, const std::string &path, bool *pathKnown) const;
    void work();

    std::map<std::pair<std::string, std::string>, Route> m_exact;  // (path, method)
    std::vector<std::pair<std::pair<std::string, std::string>, Route>> m_prefixes;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job> m_jobs;
    bool m_stopping = false;
    std::vector<std::thread> m_workers;
};

}  // namespace coord::net
