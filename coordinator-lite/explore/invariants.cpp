#include "invariants.h"

#include "barrier/barriertable.h"
#include "barrier/readonlyquery.h"

#include <absl/strings/str_cat.h>
#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace coord::explore {

namespace {

constexpr size_t kMaxBodyBytes = 1 << 20;

size_t appendBody(char *data, size_t size, size_t count, void *out)
{
    auto *body = static_cast<std::string *>(out);
    if (body->size() + size * count > kMaxBodyBytes)
        return 0;  // too large: curl stops with a write error
    body->append(data, size * count);
    return size * count;
}

absl::StatusOr<std::string> getJson(const std::string &url)
{
    std::unique_ptr<CURL, void (*)(CURL *)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        return absl::ResourceExhaustedError("curl_easy_init failed");
    std::string body;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    if (CURLcode rc = curl_easy_perform(curl.get()); rc != CURLE_OK)
        return absl::UnavailableError(absl::StrCat("GET ", url, ": ", curl_easy_strerror(rc)));
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299)
        return absl::UnavailableError(absl::StrCat("GET ", url, ": HTTP ", status));
    const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded())
        return absl::InvalidArgumentError(absl::StrCat("GET ", url, ": the body is not JSON"));
    return json.dump();  // objects are sorted by key: a canonical form
}

}  // namespace

std::string Invariant::label() const
{
    return url.empty() ? absl::StrCat(sql, " @ ", barrier::redactDsn(dsn))
                       : absl::StrCat("GET ", url);
}

absl::StatusOr<std::string> evaluate(const Invariant &invariant)
{
    if (!invariant.url.empty())
        return getJson(invariant.url);
    auto rows = barrier::queryReadOnly(invariant.dsn, invariant.sql);
    if (!rows.ok())
        return rows.status();
    return barrier::toText(*rows);
}

}  // namespace coord::explore
