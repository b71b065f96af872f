// libFuzzer target: DTM API bodies (HTTP JSON and the gRPC DtmRequest) must parse, check and turn
// into a flow, or be refused with a message, for any bytes, without crashing.
#include "dtm/dtmgrpcservice.h"
#include "dtm/dtmrequest.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view text(reinterpret_cast<const char *>(data), size);
    const coord::flow::FlowLimits limits;
    if (auto t = coord::dtm::parseTransJson(text); t.ok())
        if (coord::dtm::checkTrans(*t, limits).ok())
            (void)coord::dtm::sagaFlow(*t);
    (void)coord::dtm::parseBranchJson(text);
    (void)coord::dtm::parseStepsJson(text);
    dtmgimp::DtmRequest request;
    if (request.ParseFromArray(data, static_cast<int>(size)))
        if (auto t = coord::dtm::fromGrpc(request); t.ok())
            if (coord::dtm::checkTrans(*t, limits).ok())
                (void)coord::dtm::sagaFlow(*t);
    return 0;
}
