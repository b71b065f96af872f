#include "httpinvoker.h"

#include "responseclassifier.h"

#include "engine/threadname.h"

#include <curl/curl.h>

#include <set>
#include <vector>

namespace coord::invokers {

namespace {

constexpr size_t kMaxBody = 64 * 1024;

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

std::string escape(CURL *curl, const std::string &text)
{
    char *e = curl_easy_escape(curl, text.c_str(), static_cast<int>(text.size()));
    std::string out = e ? e : "";
    curl_free(e);
    return out;
}

}  // namespace

struct HttpInvoker::Request {
    engine::BranchCall call;
    Done done;
    CURL *easy = nullptr;
    curl_slist *headers = nullptr;
    std::string body;
    char error[CURL_ERROR_SIZE] = {};

    static size_t write(char *data, size_t size, size_t n, void *self)
    {
        auto *r = static_cast<Request *>(self);
        size_t bytes = size * n;
        if (r->body.size() < kMaxBody)
            r->body.append(data, std::min(bytes, kMaxBody - r->body.size()));
        return bytes;
    }
};

HttpInvoker::HttpInvoker(long maxConnectionsPerHost)
{
    static CurlGlobal global;
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 4 * maxConnectionsPerHost);
    m_multi = multi;
    m_thread = std::thread([this] {
        engine::nameThisThread("http-invoker");
        run();
    });
}

HttpInvoker::~HttpInvoker()
{
    m_stopping = true;
    curl_multi_wakeup(static_cast<CURLM *>(m_multi));
    m_thread.join();
    curl_multi_cleanup(static_cast<CURLM *>(m_multi));
}

void HttpInvoker::invoke(engine::BranchCall call, Done done)
{
    auto *r = new Request;
    r->call = std::move(call);
    r->done = std::move(done);
    bool wake = false;
    {
        std::lock_guard lock(m_mutex);
        // One wake-up per batch: the first call into an empty queue wakes the loop, the calls
        // that follow before it runs ride along (a commit hands over a call per transaction).
        // The loop's own thread (a result starting the next call) needs none: the loop looks at
        // the queue before it waits.
        wake = m_incoming.empty() && std::this_thread::get_id() != m_thread.get_id();
        m_incoming.push_back(r);
    }
    if (wake)
        curl_multi_wakeup(static_cast<CURLM *>(m_multi));
}

// One call on its easy handle: DTM's query parameters, the body (none: a GET, as DTM), the
// timeouts, and Go's client's habits (follow up to 10 redirects).
void HttpInvoker::configure(Request &request)
{
    Request *r = &request;
    const engine::BranchCall &c = r->call;
    std::string url = c.endpoint;
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += "gid=" + escape(r->easy, c.gid) + "&trans_type=" + escape(r->easy, c.transType)
        + "&branch_id=" + escape(r->easy, c.branchId) + "&op=" + escape(r->easy, c.op);
    r->headers = curl_slist_append(nullptr, "Content-Type: application/json");
    r->headers = curl_slist_append(r->headers, "Expect:");
    for (const auto &[name, value] : c.headers)
        r->headers = curl_slist_append(r->headers, (name + ": " + value).c_str());
    curl_easy_setopt(r->easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
    if (c.payload.empty()) {
        // As DTM: a call without a body is a GET (dtmsvr/trans_status.go,
        // determineHTTPRequestMethod).
        curl_easy_setopt(r->easy, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(r->easy, CURLOPT_POST, 1L);
        curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(c.payload.size()));
        curl_easy_setopt(r->easy, CURLOPT_COPYPOSTFIELDS, c.payload.c_str());
    }
    curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, static_cast<long>(c.timeoutMs));
    curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<int64_t>(c.timeoutMs, 5000)));
    curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, &Request::write);
    curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->error);
    curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
    curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    // As Go's client (so DTM's): follow up to 10 redirects.
    curl_easy_setopt(r->easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(r->easy, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(r->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(r->easy, CURLOPT_TCP_NODELAY, 1L);
}

// The participant's answer, or what kept it from answering.
engine::CallResult HttpInvoker::resultOf(Request &request, int curlCode)
{
    Request *r = &request;
    const auto code = static_cast<CURLcode>(curlCode);
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    std::string transport;
    if (code != CURLE_OK)
        transport = r->error[0] ? r->error : curl_easy_strerror(code);
    if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_WEIRD_SERVER_REPLY)
        transport = "not an HTTP answer (" + transport + ")";
    return classifyHttp(status, r->body, transport);
}

void HttpInvoker::run()
{
    CURLM *multi = static_cast<CURLM *>(m_multi);
    std::vector<CURL *> idle;  // reused easy handles keep their connection cache warm
    int running = 0;
    std::set<Request *> active;
    auto finish = [&](Request *r, engine::CallResult result) {
        active.erase(r);
        curl_multi_remove_handle(multi, r->easy);
        curl_slist_free_all(r->headers);
        curl_easy_reset(r->easy);
        idle.push_back(r->easy);
        Done done = std::move(r->done);
        delete r;
        done(std::move(result));
    };
    for (;;) {
        std::deque<Request *> batch;
        {
            std::lock_guard lock(m_mutex);
            batch.swap(m_incoming);
        }
        for (Request *r : batch) {
            if (idle.empty())
                idle.push_back(curl_easy_init());
            r->easy = idle.back();
            idle.pop_back();
            configure(*r);
            curl_multi_add_handle(multi, r->easy);
            active.insert(r);
        }
        curl_multi_perform(multi, &running);
        int left = 0;
        while (CURLMsg *msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            Request *r = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &r);
            finish(r, resultOf(*r, msg->data.result));
        }
        if (m_stopping)
            break;
        {
            std::lock_guard lock(m_mutex);
            if (!m_incoming.empty())
                continue;  // calls started by the results above: no waiting for them
        }
        curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    // Shutting down: everyone still waiting gets an answer.
    std::vector<Request *> pending(active.begin(), active.end());
    {
        std::lock_guard lock(m_mutex);
        for (Request *r : m_incoming) {
            engine::CallResult result;
            result.error = "coordinator shutting down";
            Done done = std::move(r->done);
            delete r;
            done(result);
        }
        m_incoming.clear();
    }
    for (Request *r : pending) {
        engine::CallResult result;
        result.error = "coordinator shutting down";
        active.erase(r);
        finish(r, result);
    }
    for (CURL *e : idle)
        curl_easy_cleanup(e);
}

}  // namespace coord::invokers
