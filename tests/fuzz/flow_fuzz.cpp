// libFuzzer target: flow files must parse, validate and normalise any bytes without crashing,
// and the normal form of a valid flow must parse to the same normal form.
#include "flow/flowdefinition.h"
#include "flow/jsondepth.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view text(reinterpret_cast<const char *>(data), size);
    auto structure = coord::flow::parseFlowStructure(text);
    auto parsed = coord::flow::parseFlow(text);
    if (parsed.ok()) {
        const std::string normal = coord::flow::toJson(*parsed.flow);
        auto again = coord::flow::parseFlow(normal);
        if (!again.ok() || coord::flow::toJson(*again.flow) != normal)
            std::abort();  // the normal form must be stable
        coord::flow::topologicalOrder(*parsed.flow);
    }
    if (structure.flow)
        coord::flow::validateFlow(*structure.flow);
    coord::flow::checkEndpoint(text);
    coord::flow::checkJsonDepth(text, "fuzz", 8);
    return 0;
}
