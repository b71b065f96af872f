#include "explorematrixmodel.h"

#include "statuscolors.h"
#include "themeicons.h"

#include <QStringList>

#include <algorithm>

namespace txdesk::models {

namespace {

QString joined(const std::vector<std::string> &parts, const QString &separator)
{
    QStringList list;
    for (const std::string &p : parts)
        list << QString::fromStdString(p);
    return list.join(separator);
}

QString invariantsOf(const coord::explore::PathResult &p)
{
    QStringList parts;
    for (const auto &v : p.invariants)
        parts << (v.error.empty() ? QStringLiteral("%1 → %2").arg(QString::fromStdString(v.before),
                                                                  QString::fromStdString(v.after))
                                  : QString::fromStdString(v.error));
    return parts.join(QStringLiteral("; "));
}

}  // namespace

int ExploreMatrixModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_paths.size());
}

int ExploreMatrixModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ExploreMatrixModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const coord::explore::PathResult &p = m_paths[static_cast<size_t>(index.row())];
    switch (role) {
    case GidRole:
        return QString::fromStdString(p.gid);
    case RedRole:
        return p.red();
    case Qt::DecorationRole:
        if (index.column() == Verdict)
            return themeIcon(p.red() ? QStringLiteral("emblem-error")
                                     : QStringLiteral("emblem-success"));
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Status && p.record && p.finished)
            return colorOf(p.record->summary.status);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Problems || index.column() == Verdict)
            return joined(p.problems, QStringLiteral("\n"));
        if (index.column() == Point && !p.point.rollbackForcedBy.empty())
            return tr("The rollback that runs this undo is forced by a business failure of %1")
                .arg(QString::fromStdString(p.point.rollbackForcedBy));
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case Verdict:
            return p.red() ? tr("red") : tr("green");
        case Point:
            return QString::fromStdString(p.point.id);
        case Status:
            return QString::fromStdString(p.statusText());
        case Undone:
            return joined(p.undone, QStringLiteral(" → "));
        case Calls:
            return p.attempts;
        case Duration:
            return QStringLiteral("%1 s").arg(p.durationMs / 1000.0, 0, 'f', 1);
        case Invariants:
            return invariantsOf(p);
        case Problems:
            return joined(p.problems, QStringLiteral("; "));
        case Gid:
            return QString::fromStdString(p.gid);
        }
    }
    return {};
}

QVariant ExploreMatrixModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Verdict:
        return tr("Verdict");
    case Point:
        return tr("Failure point");
    case Status:
        return tr("Ended");
    case Undone:
        return tr("Undone, in order");
    case Calls:
        return tr("Calls");
    case Duration:
        return tr("Duration");
    case Invariants:
        return tr("Invariants before → after");
    case Problems:
        return tr("Problems");
    case Gid:
        return tr("Gid");
    }
    return {};
}

void ExploreMatrixModel::add(const coord::explore::PathResult &path)
{
    const int row = path.red() ? m_red : rowCount();
    beginInsertRows({}, row, row);
    m_paths.insert(m_paths.begin() + row, path);
    m_red += path.red();
    endInsertRows();
}

void ExploreMatrixModel::reset(std::vector<coord::explore::PathResult> paths)
{
    beginResetModel();
    std::stable_partition(paths.begin(), paths.end(), [](const auto &p) { return p.red(); });
    m_paths = std::move(paths);
    m_red = static_cast<int>(
        std::count_if(m_paths.begin(), m_paths.end(), [](const auto &p) { return p.red(); }));
    endResetModel();
}

}  // namespace txdesk::models
