#include "benchhttp.h"

#include <nlohmann/json.hpp>

namespace testsupport::bench {

size_t collect(char *data, size_t size, size_t n, void *out)
{
    static_cast<std::string *>(out)->append(data, size * n);
    return size * n;
}

long participantCalls(const std::string &base)
{
    HttpClient client;
    std::string body;
    if (client.get(base + "/stats", &body) != 200)
        return -1;
    try {
        return nlohmann::json::parse(body).at("calls").get<long>();
    } catch (const std::exception &) {
        return -1;
    }
}

}  // namespace testsupport::bench
