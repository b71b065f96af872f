#include "graphlayout.h"

#include <functional>
#include <set>

namespace txdesk::models {

std::map<std::string, QPointF> layeredLayout(const std::vector<GraphNodeSpec> &nodes,
                                             double columnWidth, double rowHeight)
{
    std::map<std::string, const GraphNodeSpec *> byId;
    for (const auto &n : nodes)
        byId[n.id] = &n;
    std::map<std::string, int> depth;
    std::set<std::string> visiting;
    std::function<int(const std::string &)> depthOf = [&](const std::string &id) -> int {
        if (auto it = depth.find(id); it != depth.end())
            return it->second;
        if (!visiting.insert(id).second)
            return 0;  // a cycle: place it anyway (the validator reports cycles)
        int d = 0;
        if (auto it = byId.find(id); it != byId.end())
            for (const auto &a : it->second->after)
                if (byId.count(a))
                    d = std::max(d, depthOf(a) + 1);
        visiting.erase(id);
        return depth[id] = d;
    };
    std::map<int, int> rowsInColumn;
    std::map<std::string, QPointF> out;
    for (const auto &n : nodes) {
        const int column = depthOf(n.id);
        out[n.id] = QPointF(column * columnWidth, rowsInColumn[column]++ * rowHeight);
    }
    return out;
}

}  // namespace txdesk::models
