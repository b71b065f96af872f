#include "httprouter.h"

#include <pthread.h>

namespace coord::net {

namespace {

HttpResponse message(int status, const std::string &text)
{
    return {status, "application/json", R"({"message":")" + http::shown(text) + R"("})", {}};
}

}  // namespace

HttpRouter::HttpRouter(size_t workers)
{
    for (size_t i = 0; i < workers; ++i) {
        m_workers.emplace_back([this] { work(); });
        pthread_setname_np(m_workers.back().native_handle(), "http-worker");
    }
}

HttpRouter::~HttpRouter()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (auto &t : m_workers)
        t.join();
}

void HttpRouter::add(const std::string &method, const std::string &path, Run run, Handler handler)
{
    m_exact[{path, method}] = Route{run, std::move(handler)};
}

void HttpRouter::addPrefix(const std::string &method, const std::string &prefix, Run run,
                           Handler handler)
{
    m_prefixes.push_back({{prefix, method}, Route{run, std::move(handler)}});
}

const HttpRouter::Route *HttpRouter::find(const std::string &method, const std::string &path,
                                          bool *pathKnown) const
{
    auto it = m_exact.lower_bound({path, std::string()});
    for (; it != m_exact.end() && it->first.first == path; ++it) {
        *pathKnown = true;
        if (it->first.second == method)
            return &it->second;
    }
    for (const auto &[key, route] : m_prefixes) {
        if (path.size() > key.first.size() && path.compare(0, key.first.size(), key.first) == 0) {
            *pathKnown = true;
            if (key.second == method)
                return &route;
        }
    }
    return nullptr;
}

void HttpRouter::handle(HttpRequest request, HttpResponder respond)
{
    bool pathKnown = false;
    // HEAD is answered as GET would be (the server leaves the body out).
    const Route *route = find(request.method == "HEAD" ? "GET" : request.method, request.path,
                              &pathKnown);
    if (!route)
        return respond(pathKnown
                           ? message(405, request.method + " is not served at " + request.path)
                           : message(404, "nothing is served at " + request.path));
    if (route->run == Run::Inline)
        return route->handler(request, std::move(respond));
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back({route, std::move(request), std::move(respond)});
    }
    m_wake.notify_one();
}

void HttpRouter::work()
{
    for (;;) {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
        if (m_jobs.empty())
            return;
        Job job = std::move(m_jobs.front());
        m_jobs.pop_front();
        lock.unlock();
        try {
            job.route->handler(job.request, job.respond);
        } catch (const std::exception &) {
            job.respond(message(500, "the request failed"));
        }
    }
}

}  // namespace coord::net
