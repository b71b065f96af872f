// libFuzzer target: participant answers (status, body, gRPC code and message) are classified
// without crashing, and the excerpt stays bounded and printable.
#include "invokers/responseclassifier.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    int32_t status;
    std::memcpy(&status, data, 4);
    std::string_view body(reinterpret_cast<const char *>(data + 4), size - 4);
    auto http = coord::invokers::classifyHttp(status, body,
                                              size % 7 == 0 ? body.substr(0, 10) : "");
    auto grpc = coord::invokers::classifyGrpc(status % 20, body.substr(0, body.size() / 2),
                                              body.substr(body.size() / 2));
    for (const auto *r : {&http, &grpc}) {
        if (r->excerpt.size() > coord::engine::kExcerptBytes)
            std::abort();
        for (char c : r->excerpt)
            if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
                std::abort();
    }
    return 0;
}
