#pragma once

#include <curl/curl.h>

#include <string>

// Plain HTTP for the benchmarks: the direct-call baseline and the participant's call counter.
namespace testsupport::bench {

size_t collect(char *data, size_t size, size_t n, void *out);

// One keep-alive connection, reused for every call of one thread.
class HttpClient
{
public:
    HttpClient()
    {
        m_easy = curl_easy_init();
        m_headers = curl_slist_append(nullptr, "Content-Type: application/json");
        m_headers = curl_slist_append(m_headers, "Expect:");
        curl_easy_setopt(m_easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(m_easy, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(m_easy, CURLOPT_TIMEOUT_MS, 3000L);
        curl_easy_setopt(m_easy, CURLOPT_WRITEFUNCTION, &collect);
        curl_easy_setopt(m_easy, CURLOPT_WRITEDATA, &m_body);
        curl_easy_setopt(m_easy, CURLOPT_ERRORBUFFER, m_curlError);
    }
    ~HttpClient()
    {
        curl_slist_free_all(m_headers);
        curl_easy_cleanup(m_easy);
    }
    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;

    // Why the last call did not answer 200: libcurl's reason, or the status and its body.
    const std::string &lastError() const { return m_lastError; }

    // POST; true on HTTP 200.
    bool post(const std::string &url, const std::string &body)
    {
        m_body.clear();
        curl_easy_setopt(m_easy, CURLOPT_URL, url.c_str());
        curl_easy_setopt(m_easy, CURLOPT_HTTPHEADER, m_headers);
        curl_easy_setopt(m_easy, CURLOPT_POST, 1L);
        curl_easy_setopt(m_easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        curl_easy_setopt(m_easy, CURLOPT_POSTFIELDS, body.c_str());
        return perform() == 200;
    }
    long get(const std::string &url, std::string *body)
    {
        m_body.clear();
        curl_easy_setopt(m_easy, CURLOPT_URL, url.c_str());
        curl_easy_setopt(m_easy, CURLOPT_HTTPGET, 1L);
        long status = perform();
        *body = m_body;
        return status;
    }

private:
    long perform()
    {
        m_curlError[0] = '\0';
        if (CURLcode c = curl_easy_perform(m_easy); c != CURLE_OK) {
            m_lastError = m_curlError[0] ? m_curlError : curl_easy_strerror(c);
            return 0;
        }
        long status = 0;
        curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200)
            m_lastError = "HTTP " + std::to_string(status) + ": " + m_body.substr(0, 200);
        return status;
    }

    CURL *m_easy = nullptr;
    curl_slist *m_headers = nullptr;
    std::string m_body;
    std::string m_lastError;
    char m_curlError[CURL_ERROR_SIZE] = {};
};

// The participant's own count of calls (GET <base>/stats), or -1.
long participantCalls(const std::string &base);

}  // namespace testsupport::bench
