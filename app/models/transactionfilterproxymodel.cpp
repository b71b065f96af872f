#include "transactionfilterproxymodel.h"

#include "transactiontablemodel.h"

#include <algorithm>

namespace txdesk::models {

using coord::domain::TxSummary;

namespace {

// ASCII case-insensitive `needle` (already lower-case) in `hay`, without allocating: this runs
// once per row on every keystroke.
bool containsFolded(const std::string &hay, const std::string &needle)
{
    auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? char(c + ('a' - 'A')) : c; };
    const size_t n = needle.size();
    if (n > hay.size())
        return false;
    const char first = needle.front();
    for (size_t i = 0, end = hay.size() - n; i <= end; ++i) {
        if (fold(hay[i]) != first)
            continue;
        size_t k = 1;
        while (k < n && fold(hay[i + k]) == needle[k])
            ++k;
        if (k == n)
            return true;
    }
    return false;
}

}  // namespace

TransactionFilterProxyModel::TransactionFilterProxyModel(QObject *parent)
    : QAbstractProxyModel(parent)
{}

void TransactionFilterProxyModel::setSourceModel(QAbstractItemModel *source)
{
    beginResetModel();
    for (const auto &c : m_connections)
        disconnect(c);
    m_connections.clear();
    QAbstractProxyModel::setSourceModel(source);
    m_source = qobject_cast<const TransactionTableModel *>(source);
    Q_ASSERT_X(m_source || !source, "TransactionFilterProxyModel",
               "the source must be a TransactionTableModel");
    if (m_source) {
        m_connections = {
            connect(
                source, &QAbstractItemModel::rowsInserted, this,
                [this](const QModelIndex &, int first, int last) { onRowsInserted(first, last); }),
            connect(source, &QAbstractItemModel::dataChanged, this,
                    [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                        onDataChanged(topLeft.row(), bottomRight.row());
                    }),
            // The table only appends and changes rows in place; anything else starts over.
            connect(source, &QAbstractItemModel::modelAboutToBeReset, this,
                    &TransactionFilterProxyModel::beginResetModel),
            connect(source, &QAbstractItemModel::modelReset, this,
                    [this] {
                        rebuild();
                        endResetModel();
                    }),
            connect(source, &QAbstractItemModel::rowsAboutToBeRemoved, this,
                    &TransactionFilterProxyModel::beginResetModel),
            connect(source, &QAbstractItemModel::rowsRemoved, this,
                    [this] {
                        rebuild();
                        endResetModel();
                    }),
            connect(source, &QAbstractItemModel::layoutChanged, this, [this] { startOver(); }),
            connect(source, &QAbstractItemModel::headerDataChanged, this,
                    &QAbstractItemModel::headerDataChanged),
        };
    }
    rebuild();
    endResetModel();
}

// ---- filter --------------------------------------------------------------------------------

void TransactionFilterProxyModel::setFilter(const TransactionFilter &filter)
{
    TransactionFilter next = filter;
    next.text = next.text.trimmed();
    if (next == m_filter)
        return;
    m_filter = std::move(next);
    m_needle = m_filter.text.toLower().toStdString();
    refilter();
}

void TransactionFilterProxyModel::setStatuses(const QSet<int> &statuses)
{
    TransactionFilter f = m_filter;
    f.statuses = statuses;
    setFilter(f);
}

void TransactionFilterProxyModel::setType(int type)
{
    TransactionFilter f = m_filter;
    f.type = type;
    setFilter(f);
}

void TransactionFilterProxyModel::setStuckOnly(bool stuckOnly)
{
    TransactionFilter f = m_filter;
    f.stuckOnly = stuckOnly;
    setFilter(f);
}

void TransactionFilterProxyModel::setText(const QString &text)
{
    TransactionFilter f = m_filter;
    f.text = text;
    setFilter(f);
}

bool TransactionFilterProxyModel::accepts(int row) const
{
    const TxSummary &t = m_source->summaryAt(row);
    if (!m_filter.statuses.isEmpty() && !m_filter.statuses.contains(static_cast<int>(t.status)))
        return false;
    if (m_filter.type != 0 && static_cast<int>(t.type) != m_filter.type)
        return false;
    if (m_filter.stuckOnly && t.stuckReason.empty())
        return false;
    if (!m_needle.empty() && !containsFolded(t.gid, m_needle)
        && !containsFolded(t.businessKey, m_needle) && !containsFolded(t.flowName, m_needle))
        return false;
    return true;
}

std::vector<int> TransactionFilterProxyModel::visibleOf(const std::vector<int> &rows) const
{
    if (m_filter == TransactionFilter{})
        return rows;
    std::vector<int> visible;
    for (int row : rows)
        if (accepts(row))
            visible.push_back(row);
    return visible;
}

void TransactionFilterProxyModel::refilter()
{
    if (m_source)
        relayout([this] { m_visible = visibleOf(m_order); });
}

void TransactionFilterProxyModel::relayout(const std::function<void()> &change)
{
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<int> sourceRows;
    sourceRows.reserve(before.size());
    for (const QModelIndex &index : before)
        sourceRows.push_back(m_visible[index.row()]);
    change();
    QModelIndexList after;
    after.reserve(before.size());
    for (int i = 0; i < before.size(); ++i) {
        const int row = find(m_visible, sourceRows[i]);
        after.push_back(row < 0 ? QModelIndex() : index(row, before[i].column()));
    }
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void TransactionFilterProxyModel::startOver()
{
    beginResetModel();
    rebuild();
    endResetModel();
}

// ---- the proxy's shape ---------------------------------------------------------------------

QModelIndex TransactionFilterProxyModel::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || row < 0 || row >= rowCount() || column < 0 || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex TransactionFilterProxyModel::parent(const QModelIndex &) const { return {}; }

int TransactionFilterProxyModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_visible.size());
}

int TransactionFilterProxyModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_source ? 0 : m_source->columnCount();
}

bool TransactionFilterProxyModel::hasChildren(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_visible.empty();
}

QModelIndex TransactionFilterProxyModel::mapToSource(const QModelIndex &proxyIndex) const
{
    if (!m_source || !proxyIndex.isValid() || proxyIndex.model() != this
        || proxyIndex.row() >= static_cast<int>(m_visible.size()))
        return {};
    return m_source->index(m_visible[proxyIndex.row()], proxyIndex.column());
}

QModelIndex TransactionFilterProxyModel::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!m_source || !sourceIndex.isValid() || sourceIndex.model() != m_source)
        return {};
    const int row = find(m_visible, sourceIndex.row());
    return row < 0 ? QModelIndex() : index(row, sourceIndex.column());
}

QVariant TransactionFilterProxyModel::headerData(int section, Qt::Orientation orientation,
                                                 int role) const
{
    if (!m_source)
        return {};
    if (orientation == Qt::Vertical)
        return section >= 0 && section < rowCount()
            ? m_source->headerData(m_visible[section], orientation, role)
            : QVariant();
    return m_source->headerData(section, orientation, role);
}

}  // namespace txdesk::models
