#include "curltransport.h"

#include "engine/threadname.h"
#include "latecalls.h"

#include <curl/curl.h>

#include <set>
#include <vector>

namespace coord::invokers::http {

namespace {

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

struct CurlTransport::Call {
    Request request;
    Done done;
    CURL *easy = nullptr;
    curl_slist *headers = nullptr;
    std::string body;
    char error[CURL_ERROR_SIZE] = {};

    static size_t write(char *data, size_t size, size_t n, void *self)
    {
        auto *c = static_cast<Call *>(self);
        size_t bytes = size * n;
        if (c->body.size() < kMaxBody)
            c->body.append(data, std::min(bytes, kMaxBody - c->body.size()));
        return bytes;
    }
};

CurlTransport::CurlTransport(long maxConnectionsPerHost)
{
    static CurlGlobal global;
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 4 * maxConnectionsPerHost);
    m_multi = multi;
    m_thread = std::thread([this] {
        engine::nameThisThread("https-invoker");
        run();
    });
}

CurlTransport::~CurlTransport()
{
    m_stopping = true;
    curl_multi_wakeup(static_cast<CURLM *>(m_multi));
    m_thread.join();
    curl_multi_cleanup(static_cast<CURLM *>(m_multi));
}

void CurlTransport::send(Request request, Done done)
{
    auto *c = new Call;
    c->request = std::move(request);
    c->done = std::move(done);
    bool wake = false, closed = false;
    {
        std::lock_guard lock(m_mutex);
        closed = m_closed;
        // One wake-up per batch: the first call into an empty queue wakes the loop, the calls
        // that follow before it runs ride along. The loop's own thread needs none: the loop
        // looks at the queue before it waits.
        wake = !closed && m_incoming.empty() && std::this_thread::get_id() != m_thread.get_id();
        if (!closed)
            m_incoming.push_back(c);
    }
    if (closed) {
        Done answer = std::move(c->done);
        delete c;
        Response shuttingDown;
        shuttingDown.transportError = "coordinator shutting down";
        return answer(std::move(shuttingDown));
    }
    if (wake)
        curl_multi_wakeup(static_cast<CURLM *>(m_multi));
}

void CurlTransport::configure(Call &call)
{
    Call *c = &call;
    const Request &r = c->request;
    c->headers = curl_slist_append(nullptr, "Content-Type: application/json");
    c->headers = curl_slist_append(c->headers, "Expect:");
    for (const auto &[name, value] : r.headers)
        c->headers = curl_slist_append(c->headers, (name + ": " + value).c_str());
    curl_easy_setopt(c->easy, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
    if (!r.post) {
        curl_easy_setopt(c->easy, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(c->easy, CURLOPT_POST, 1L);
        curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
        curl_easy_setopt(c->easy, CURLOPT_COPYPOSTFIELDS, r.body.c_str());
    }
    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeoutMs));
    curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<int64_t>(r.timeoutMs, 5000)));
    curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, &Call::write);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->error);
    curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
    curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c->easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c->easy, CURLOPT_MAXREDIRS, static_cast<long>(r.redirectsLeft));
    curl_easy_setopt(c->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c->easy, CURLOPT_TCP_NODELAY, 1L);
}

// The participant's answer, or what kept it from answering.
Response CurlTransport::responseOf(Call &call, int curlCode)
{
    const auto code = static_cast<CURLcode>(curlCode);
    Response out;
    curl_easy_getinfo(call.easy, CURLINFO_RESPONSE_CODE, &out.status);
    out.body = std::move(call.body);
    if (code != CURLE_OK)
        out.transportError = call.error[0] ? call.error : curl_easy_strerror(code);
    if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_WEIRD_SERVER_REPLY)
        out.transportError = "not an HTTP answer (" + out.transportError + ")";
    return out;
}

void CurlTransport::run()
{
    CURLM *multi = static_cast<CURLM *>(m_multi);
    std::vector<CURL *> idle;  // reused easy handles keep their connection cache warm
    int running = 0;
    std::set<Call *> active;
    auto finish = [&](Call *c, Response response) {
        active.erase(c);
        curl_multi_remove_handle(multi, c->easy);
        curl_slist_free_all(c->headers);
        curl_easy_reset(c->easy);
        idle.push_back(c->easy);
        Done done = std::move(c->done);
        delete c;
        done(std::move(response));
    };
    for (;;) {
        std::deque<Call *> batch;
        {
            std::lock_guard lock(m_mutex);
            batch.swap(m_incoming);
        }
        for (Call *c : batch) {
            if (idle.empty())
                idle.push_back(curl_easy_init());
            c->easy = idle.back();
            idle.pop_back();
            configure(*c);
            curl_multi_add_handle(multi, c->easy);
            active.insert(c);
        }
        curl_multi_perform(multi, &running);
        int left = 0;
        while (CURLMsg *msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            Call *c = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &c);
            finish(c, responseOf(*c, msg->data.result));
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
    Response shuttingDown;
    shuttingDown.transportError = "coordinator shutting down";
    std::vector<Call *> pending(active.begin(), active.end());
    for (Call *c : pending)
        finish(c, shuttingDown);
    for (CURL *e : idle)
        curl_easy_cleanup(e);
    answerLateCalls(m_mutex, m_incoming, m_closed, [&shuttingDown](Call *c) {
        Done done = std::move(c->done);
        delete c;
        done(shuttingDown);
    });
}

}  // namespace coord::invokers::http
