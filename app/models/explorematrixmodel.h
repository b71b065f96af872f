#pragma once

#include "explore/pathverdict.h"

#include <QAbstractTableModel>

#include <vector>

namespace txdesk::models {

// The failure-path explorer's matrix: one row per explored failure point, the verdict's parts as
// columns, red rows first (in the order they ended), then the green ones.
class ExploreMatrixModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Verdict,
        Point,
        Status,
        Undone,
        Calls,
        Duration,
        Invariants,
        Problems,
        Gid,
        ColumnCount
    };
    static constexpr int GidRole = Qt::UserRole + 1;
    static constexpr int RedRole = Qt::UserRole + 2;  // bool

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void add(const coord::explore::PathResult &path);           // a red path joins the red rows
    void reset(std::vector<coord::explore::PathResult> paths);  // the final report's paths
    void clear() { reset({}); }
    const coord::explore::PathResult &at(int row) const { return m_paths.at(row); }
    int redCount() const { return m_red; }

private:
    std::vector<coord::explore::PathResult> m_paths;
    int m_red = 0;
};

}  // namespace txdesk::models
