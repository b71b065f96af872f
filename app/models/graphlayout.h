#pragma once

#include <QPointF>
#include <QString>

#include <map>
#include <string>
#include <vector>

namespace txdesk::models {

// Layered placement of a DAG: each node one column right of its deepest predecessor, stacked
// top to bottom within a column. Shared by the monitor's branch graph and the designer.
struct GraphNodeSpec {
    std::string id;
    std::vector<std::string> after;
};

std::map<std::string, QPointF> layeredLayout(const std::vector<GraphNodeSpec> &nodes,
                                             double columnWidth = 220, double rowHeight = 90);

}  // namespace txdesk::models
