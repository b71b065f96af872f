#include "transactionfilterproxymodel.h"

#include "transactiontablemodel.h"

#include <QDateTime>

#include <algorithm>
#include <cctype>

namespace txdesk::models {

TransactionFilterProxyModel::TransactionFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(TransactionTableModel::SortRole);
    setDynamicSortFilter(true);
}

void TransactionFilterProxyModel::setStatuses(const QSet<int> &statuses)
{
    m_statuses = statuses;
    refilter();
}

void TransactionFilterProxyModel::setType(int type)
{
    m_type = type;
    refilter();
}

void TransactionFilterProxyModel::setStuckOnly(bool stuckOnly)
{
    m_stuckOnly = stuckOnly;
    refilter();
}

void TransactionFilterProxyModel::setText(const QString &text)
{
    m_text = text.trimmed();
    m_needle = m_text.toLower().toStdString();
    refilter();
}

void TransactionFilterProxyModel::setMaxAgeMs(qint64 ms)
{
    m_maxAgeMs = ms;
    refilter();
}

void TransactionFilterProxyModel::refilter()
{
    // invalidate(), not invalidateFilter(): the latter inserts every newly accepted row into the
    // sorted mapping one at a time, quadratic when a filter is cleared over 1M rows; a full
    // rebuild filters and sorts once.
    invalidate();
}

bool TransactionFilterProxyModel::filterAcceptsRow(int row, const QModelIndex &parent) const
{
    const auto *model = qobject_cast<const TransactionTableModel *>(sourceModel());
    if (!model)
        return true;
    const coord::domain::TxSummary &t = model->summaryAt(row);
    if (!m_statuses.isEmpty() && !m_statuses.contains(static_cast<int>(t.status)))
        return false;
    if (m_type != 0 && static_cast<int>(t.type) != m_type)
        return false;
    if (m_stuckOnly && t.stuckReason.empty())
        return false;
    if (m_maxAgeMs > 0 && QDateTime::currentMSecsSinceEpoch() - t.createdMs > m_maxAgeMs)
        return false;
    if (!m_needle.empty()) {
        // ASCII case-folding without allocating: this runs once per row on every keystroke.
        auto contains = [&](const std::string &hay) {
            auto it = std::search(
                hay.begin(), hay.end(), m_needle.begin(), m_needle.end(),
                [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
            return it != hay.end();
        };
        if (!contains(t.gid) && !contains(t.businessKey) && !contains(t.flowName))
            return false;
    }
    Q_UNUSED(parent);
    return true;
}

bool TransactionFilterProxyModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const auto *model = qobject_cast<const TransactionTableModel *>(sourceModel());
    if (!model)
        return QSortFilterProxyModel::lessThan(left, right);
    const coord::domain::TxSummary &a = model->summaryAt(left.row()),
                                   &b = model->summaryAt(right.row());
    switch (left.column()) {
    case TransactionTableModel::Gid:
        return a.gid < b.gid;
    case TransactionTableModel::Type:
        return a.type < b.type;
    case TransactionTableModel::Status:
        return a.status < b.status;
    case TransactionTableModel::Flow:
        return a.flowName < b.flowName;
    case TransactionTableModel::BusinessKey:
        return a.businessKey < b.businessKey;
    case TransactionTableModel::Branches:
        return a.branchCount < b.branchCount;
    case TransactionTableModel::Created:
        return a.createdMs < b.createdMs;
    case TransactionTableModel::Updated:
        return a.updatedMs < b.updatedMs;
    case TransactionTableModel::Stuck:
        return a.stuckReason < b.stuckReason;
    case TransactionTableModel::NextRetry:
        return a.nextRetryMs < b.nextRetryMs;
    default:
        return QSortFilterProxyModel::lessThan(left, right);
    }
}

}  // namespace txdesk::models
