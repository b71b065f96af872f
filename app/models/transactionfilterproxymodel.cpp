#include "transactionfilterproxymodel.h"

#include "transactiontablemodel.h"

#include "domain/operator.h"

#include <QDateTime>

#include <algorithm>

namespace txdesk::models {

using Table = TransactionTableModel;
using coord::domain::TxSummary;

namespace {

// Merges sorted `fresh` into sorted `rows`; in place when they go in as one block (new
// transactions do: at the top or the bottom), which moves the rows once instead of copying them.
template <typename Less>
void mergeInto(std::vector<int> &rows, const std::vector<int> &fresh, const Less &less)
{
    if (fresh.empty())
        return;
    auto at = std::lower_bound(rows.begin(), rows.end(), fresh.front(), less);
    if (at == rows.end() || less(fresh.back(), *at)) {
        rows.insert(at, fresh.begin(), fresh.end());
        return;
    }
    std::vector<int> merged;
    merged.reserve(rows.size() + fresh.size());
    std::merge(rows.begin(), rows.end(), fresh.begin(), fresh.end(), std::back_inserter(merged),
               less);
    rows = std::move(merged);
}

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

bool isTextColumn(int column)
{
    return column == Table::Gid || column == Table::Flow || column == Table::BusinessKey
        || column == Table::Stuck || column == Table::Suggested;
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
            connect(source, &QAbstractItemModel::layoutChanged, this,
                    [this] {
                        beginResetModel();
                        rebuild();
                        endResetModel();
                    }),
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

void TransactionFilterProxyModel::setMaxAgeMs(qint64 ms)
{
    TransactionFilter f = m_filter;
    f.maxAgeMs = ms;
    setFilter(f);
}

bool TransactionFilterProxyModel::accepts(int row, qint64 nowMs) const
{
    const TxSummary &t = m_source->summaryAt(row);
    if (!m_filter.statuses.isEmpty() && !m_filter.statuses.contains(static_cast<int>(t.status)))
        return false;
    if (m_filter.type != 0 && static_cast<int>(t.type) != m_filter.type)
        return false;
    if (m_filter.stuckOnly && t.stuckReason.empty())
        return false;
    if (m_filter.maxAgeMs > 0 && nowMs - t.createdMs > m_filter.maxAgeMs)
        return false;
    if (!m_needle.empty() && !containsFolded(t.gid, m_needle)
        && !containsFolded(t.businessKey, m_needle) && !containsFolded(t.flowName, m_needle))
        return false;
    return true;
}

std::vector<int> TransactionFilterProxyModel::visibleOf(const std::vector<int> &rows) const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const bool all = m_filter == TransactionFilter{};
    if (all)
        return rows;
    std::vector<int> visible;
    for (int row : rows)
        if (accepts(row, now))
            visible.push_back(row);
    return visible;
}

void TransactionFilterProxyModel::refilter()
{
    if (m_source)
        relayout(visibleOf(m_order));
}

void TransactionFilterProxyModel::relayout(std::vector<int> visible)
{
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<int> sourceRows;
    sourceRows.reserve(before.size());
    for (const QModelIndex &index : before)
        sourceRows.push_back(m_visible[index.row()]);
    m_visible = std::move(visible);
    QModelIndexList after;
    after.reserve(before.size());
    for (int i = 0; i < before.size(); ++i) {
        const int row = find(m_visible, sourceRows[i]);
        after.push_back(row < 0 ? QModelIndex() : index(row, before[i].column()));
    }
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

// ---- sort order ----------------------------------------------------------------------------

TransactionFilterProxyModel::Key TransactionFilterProxyModel::keyOf(int row) const
{
    Key key;
    const TxSummary &t = m_source->summaryAt(row);
    switch (m_sortColumn) {
    case Table::Gid:
        key.text = t.gid;
        break;
    case Table::Flow:
        key.text = t.flowName;
        break;
    case Table::BusinessKey:
        key.text = t.businessKey;
        break;
    case Table::Stuck:
        key.text = t.stuckReason;
        break;
    case Table::Suggested:
        key.text = coord::domain::stuck::suggestedAction(t.stuckReason);
        break;
    case Table::Type:
        key.number = static_cast<int64_t>(t.type);
        break;
    case Table::Status:
        key.number = static_cast<int64_t>(t.status);
        break;
    case Table::Origin:
        key.number = static_cast<int64_t>(t.origin);
        break;
    case Table::Branches:
        key.number = t.branchCount;
        break;
    case Table::Created:
        key.number = t.createdMs;
        break;
    case Table::Updated:
        key.number = t.updatedMs;
        break;
    case Table::NextRetry:
        key.number = t.nextRetryMs;
        break;
    default:
        break;  // unsorted: every key equal, rows in the source's order
    }
    return key;
}

int TransactionFilterProxyModel::compare(const Key &a, int b) const
{
    if (m_textKeys)
        return a.text.compare(m_texts[b]);
    const int64_t kb = m_numberKeys[b];
    return a.number < kb ? -1 : a.number > kb ? 1 : 0;
}

bool TransactionFilterProxyModel::before(const Key &a, int aRow, int b) const
{
    const int c = compare(a, b);
    if (c != 0)
        return m_sortOrder == Qt::AscendingOrder ? c < 0 : c > 0;
    return aRow < b;  // equal keys keep the source's order
}

int TransactionFilterProxyModel::placeOf(const std::vector<int> &rows, const Key &key,
                                         int sourceRow, int skip) const
{
    // Binary search over `rows` as if the element at `skip` were not there.
    int lo = 0, hi = static_cast<int>(rows.size()) - (skip >= 0 ? 1 : 0);
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        const int other = rows[skip >= 0 && mid >= skip ? mid + 1 : mid];
        if (before(key, sourceRow, other))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int TransactionFilterProxyModel::find(const std::vector<int> &rows, int sourceRow) const
{
    Key key;
    if (m_textKeys)
        key.text = m_texts[sourceRow];
    else
        key.number = m_numberKeys[sourceRow];
    // The first element not before the row itself.
    int lo = 0, hi = static_cast<int>(rows.size());
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        const int other = rows[mid];
        if (other != sourceRow && !before(key, sourceRow, other))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < static_cast<int>(rows.size()) && rows[lo] == sourceRow ? lo : -1;
}

void TransactionFilterProxyModel::setKey(int row, Key key)
{
    if (m_textKeys)
        m_texts[row] = std::move(key.text);
    else
        m_numberKeys[row] = key.number;
}

void TransactionFilterProxyModel::rebuild()
{
    m_numberKeys.clear();
    m_texts.clear();
    m_order.clear();
    m_visible.clear();
    if (!m_source)
        return;
    const int n = m_source->rowCount();
    m_textKeys = isTextColumn(m_sortColumn);
    if (m_textKeys)
        m_texts.resize(n);
    else
        m_numberKeys.resize(n);
    for (int row = 0; row < n; ++row)
        setKey(row, keyOf(row));
    m_order.resize(n);
    for (int row = 0; row < n; ++row)
        m_order[row] = row;
    if (m_sortColumn >= 0) {
        auto less = [this](int a, int b) {
            if (m_textKeys) {
                const int c = m_texts[a].compare(m_texts[b]);
                if (c != 0)
                    return m_sortOrder == Qt::AscendingOrder ? c < 0 : c > 0;
            } else if (m_numberKeys[a] != m_numberKeys[b]) {
                return m_sortOrder == Qt::AscendingOrder ? m_numberKeys[a] < m_numberKeys[b]
                                                         : m_numberKeys[a] > m_numberKeys[b];
            }
            return a < b;
        };
        std::sort(m_order.begin(), m_order.end(), less);
    }
    m_visible = visibleOf(m_order);
}

void TransactionFilterProxyModel::sort(int column, Qt::SortOrder order)
{
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<int> sourceRows;
    for (const QModelIndex &index : before)
        sourceRows.push_back(m_visible[index.row()]);
    m_sortColumn = column;
    m_sortOrder = order;
    rebuild();
    QModelIndexList after;
    for (int i = 0; i < before.size(); ++i) {
        const int row = find(m_visible, sourceRows[i]);
        after.push_back(row < 0 ? QModelIndex() : index(row, before[i].column()));
    }
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

// ---- following the source ------------------------------------------------------------------

void TransactionFilterProxyModel::onRowsInserted(int first, int last)
{
    const int n = m_source->rowCount();
    const int known = static_cast<int>(m_textKeys ? m_texts.size() : m_numberKeys.size());
    if (first != known || n != known + (last - first + 1)) {  // not an append: start over
        beginResetModel();
        rebuild();
        endResetModel();
        return;
    }
    if (m_textKeys)
        m_texts.resize(n);
    else
        m_numberKeys.resize(n);
    std::vector<int> fresh;
    fresh.reserve(last - first + 1);
    for (int row = first; row <= last; ++row) {
        setKey(row, keyOf(row));
        fresh.push_back(row);
    }
    auto less = [this](int a, int b) {
        Key key;
        if (m_textKeys)
            key.text = m_texts[a];
        else
            key.number = m_numberKeys[a];
        return before(key, a, b);
    };
    std::sort(fresh.begin(), fresh.end(), less);
    mergeInto(m_order, fresh, less);

    const std::vector<int> shown = visibleOf(fresh);
    if (shown.empty())
        return;
    // One block (new rows at the top or the bottom, as new transactions are): an insertion;
    // scattered: one layout change.
    const int at = placeOf(m_visible,
                           m_textKeys ? Key{0, m_texts[shown.front()]}
                                      : Key{m_numberKeys[shown.front()], {}},
                           shown.front(), -1);
    const bool block = at == static_cast<int>(m_visible.size())
        || !less(m_visible[at], shown.back()) || shown.size() == 1;
    if (block) {
        beginInsertRows({}, at, at + static_cast<int>(shown.size()) - 1);
        m_visible.insert(m_visible.begin() + at, shown.begin(), shown.end());
        endInsertRows();
        return;
    }
    std::vector<int> visible = m_visible;
    mergeInto(visible, shown, less);
    relayout(std::move(visible));
}

void TransactionFilterProxyModel::onDataChanged(int top, int bottom)
{
    for (int row = top; row <= bottom; ++row)
        onRowChanged(row);
}

void TransactionFilterProxyModel::onRowChanged(int row)
{
    Key key = keyOf(row);
    const bool keyChanged = compare(key, row) != 0;
    const int from = find(m_visible, row);  // by the remembered key
    const bool shown = accepts(row, QDateTime::currentMSecsSinceEpoch());
    if (keyChanged) {
        const int oldAt = find(m_order, row);
        if (oldAt < 0) {  // cannot happen; if it does, start over rather than break
            beginResetModel();
            rebuild();
            endResetModel();
            return;
        }
        const int newAt = placeOf(m_order, key, row, oldAt);
        m_order.erase(m_order.begin() + oldAt);
        m_order.insert(m_order.begin() + newAt, row);
    }
    const int last = columnCount() - 1;
    if (from >= 0 && shown) {
        const int to = keyChanged ? placeOf(m_visible, key, row, from) : from;
        if (to == from) {
            setKey(row, std::move(key));
            emit dataChanged(index(from, 0), index(from, last));
            return;
        }
        // beginMoveRows counts the destination before the row leaves.
        beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
        m_visible.erase(m_visible.begin() + from);
        m_visible.insert(m_visible.begin() + to, row);
        setKey(row, std::move(key));
        endMoveRows();
        emit dataChanged(index(to, 0), index(to, last));
    } else if (from >= 0) {
        beginRemoveRows({}, from, from);
        m_visible.erase(m_visible.begin() + from);
        setKey(row, std::move(key));
        endRemoveRows();
    } else if (shown) {
        const int to = placeOf(m_visible, key, row, -1);
        beginInsertRows({}, to, to);
        m_visible.insert(m_visible.begin() + to, row);
        setKey(row, std::move(key));
        endInsertRows();
    } else {
        setKey(row, std::move(key));
    }
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
