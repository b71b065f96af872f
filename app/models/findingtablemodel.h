#pragma once

#include "barrier/consistency.h"

#include <QAbstractTableModel>

#include <vector>

namespace txdesk::models {

// The consistency inspector's findings, one row each, in the order they were found (gid order).
class FindingTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Gid, Branch, Kind, Detail, Suggestion, ColumnCount };
    static constexpr int GidRole = Qt::UserRole + 1;
    static constexpr int ProblemRole = Qt::UserRole + 2;  // "true" for a problem, else "false"

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void append(const std::vector<coord::barrier::Finding> &findings);
    void clear();
    const coord::barrier::Finding &at(int row) const { return m_findings.at(row); }
    int problems() const { return m_problems; }

private:
    std::vector<coord::barrier::Finding> m_findings;
    int m_problems = 0;
};

}  // namespace txdesk::models
