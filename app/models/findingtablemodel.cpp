#include "findingtablemodel.h"

#include "themeicons.h"

namespace txdesk::models {

int FindingTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_findings.size());
}

int FindingTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FindingTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const coord::barrier::Finding &f = m_findings[static_cast<size_t>(index.row())];
    const bool problem = coord::barrier::isProblem(f.kind);
    switch (role) {
    case GidRole:
        return QString::fromStdString(f.gid);
    case ProblemRole:
        return problem ? QStringLiteral("true") : QStringLiteral("false");
    case Qt::DecorationRole:
        if (index.column() == Kind)
            return themeIcon(problem ? QStringLiteral("emblem-error")
                                     : QStringLiteral("emblem-information"));
        return {};
    case Qt::ToolTipRole:
        return QString::fromStdString(f.detail + "\n→ " + f.suggestion);
    case Qt::DisplayRole:
        switch (index.column()) {
        case Gid:
            return QString::fromStdString(f.gid);
        case Branch:
            return f.branchId.empty() ? QStringLiteral("—") : QString::fromStdString(f.branchId);
        case Kind:
            return QString::fromUtf8(coord::barrier::toString(f.kind));
        case Detail:
            return QString::fromStdString(f.detail);
        case Suggestion:
            return QString::fromStdString(f.suggestion);
        }
    }
    return {};
}

QVariant FindingTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Gid:
        return tr("Gid");
    case Branch:
        return tr("Branch");
    case Kind:
        return tr("Finding");
    case Detail:
        return tr("Detail");
    case Suggestion:
        return tr("Suggested action");
    }
    return {};
}

void FindingTableModel::append(const std::vector<coord::barrier::Finding> &findings)
{
    if (findings.empty())
        return;
    const int first = rowCount();
    beginInsertRows({}, first, first + static_cast<int>(findings.size()) - 1);
    for (const auto &f : findings) {
        m_problems += coord::barrier::isProblem(f.kind);
        m_findings.push_back(f);
    }
    endInsertRows();
}

void FindingTableModel::clear()
{
    beginResetModel();
    m_findings.clear();
    m_problems = 0;
    endResetModel();
}

}  // namespace txdesk::models
