#include "transactionfilterproxymodel.h"

#include "transactiontablemodel.h"

#include <QDateTime>

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
    invalidateFilter();
}

void TransactionFilterProxyModel::setType(int type)
{
    m_type = type;
    invalidateFilter();
}

void TransactionFilterProxyModel::setStuckOnly(bool stuckOnly)
{
    m_stuckOnly = stuckOnly;
    invalidateFilter();
}

void TransactionFilterProxyModel::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void TransactionFilterProxyModel::setMaxAgeMs(qint64 ms)
{
    m_maxAgeMs = ms;
    invalidateFilter();
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
    if (!m_text.isEmpty()) {
        const QByteArray needle = m_text.toUtf8().toLower();
        auto contains = [&](const std::string &hay) {
            return QByteArray::fromRawData(hay.data(), qsizetype(hay.size())).toLower().contains(needle);
        };
        if (!contains(t.gid) && !contains(t.businessKey) && !contains(t.flowName))
            return false;
    }
    Q_UNUSED(parent);
    return true;
}

}  // namespace txdesk::models
