// libFuzzer target: the request validation layer takes any ListRequest bytes without crashing;
// what it accepts is within bounds.
#include "api/protoconvert.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    txdesk::v1::ListRequest request;
    if (!request.ParseFromArray(data, static_cast<int>(size)))
        return 0;
    auto query = coord::api::fromProto(request);
    if (query.ok() && (query->limit < 1 || query->limit > 10000 || query->text.size() > 256))
        std::abort();
    txdesk::v1::Event event;
    if (event.ParseFromArray(data, static_cast<int>(size)))
        coord::api::fromProto(event);  // the console maps untrusted events the same way
    return 0;
}
