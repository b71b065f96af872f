// The transaction proxy's sort order: each row's remembered key, where a row goes, and how the
// order follows the table's new and changed rows.
#include "transactionfilterproxymodel.h"

#include "transactiontablemodel.h"

#include "domain/operator.h"

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

bool isTextColumn(int column)
{
    return column == Table::Gid || column == Table::Flow || column == Table::BusinessKey
        || column == Table::Stuck || column == Table::Suggested;
}

}  // namespace

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
    case Table::Attempts:
        key.number = t.retryAttempts;
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

bool TransactionFilterProxyModel::rowBefore(int a, int b) const
{
    if (m_textKeys) {
        if (const int c = m_texts[a].compare(m_texts[b]); c != 0)
            return m_sortOrder == Qt::AscendingOrder ? c < 0 : c > 0;
    } else if (m_numberKeys[a] != m_numberKeys[b]) {
        return m_sortOrder == Qt::AscendingOrder ? m_numberKeys[a] < m_numberKeys[b]
                                                 : m_numberKeys[a] > m_numberKeys[b];
    }
    return a < b;  // equal keys keep the source's order
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
    auto at = std::lower_bound(rows.begin(), rows.end(), sourceRow,
                               [this](int a, int b) { return rowBefore(a, b); });
    return at != rows.end() && *at == sourceRow ? static_cast<int>(at - rows.begin()) : -1;
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
    if (m_sortColumn >= 0)
        std::sort(m_order.begin(), m_order.end(), [this](int a, int b) { return rowBefore(a, b); });
    m_visible = visibleOf(m_order);
}

void TransactionFilterProxyModel::sort(int column, Qt::SortOrder order)
{
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    relayout([&] {
        m_sortColumn = column;
        m_sortOrder = order;
        rebuild();
    });
}

// ---- following the source ------------------------------------------------------------------

void TransactionFilterProxyModel::onRowsInserted(int first, int last)
{
    const int n = m_source->rowCount();
    const int known = static_cast<int>(m_textKeys ? m_texts.size() : m_numberKeys.size());
    if (first != known || n != known + (last - first + 1))  // not an append
        return startOver();
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
    auto less = [this](int a, int b) { return rowBefore(a, b); };
    std::sort(fresh.begin(), fresh.end(), less);
    mergeInto(m_order, fresh, less);

    const std::vector<int> shown = visibleOf(fresh);
    if (shown.empty())
        return;
    // One block (new rows at the top or the bottom, as new transactions are): an insertion;
    // scattered: one layout change.
    const int at =
        static_cast<int>(std::lower_bound(m_visible.begin(), m_visible.end(), shown.front(), less)
                         - m_visible.begin());
    const bool block = at == static_cast<int>(m_visible.size())
        || !less(m_visible[at], shown.back()) || shown.size() == 1;
    if (block) {
        beginInsertRows({}, at, at + static_cast<int>(shown.size()) - 1);
        m_visible.insert(m_visible.begin() + at, shown.begin(), shown.end());
        endInsertRows();
        return;
    }
    relayout([&] { mergeInto(m_visible, shown, less); });
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
    const bool shown = accepts(row);
    if (keyChanged) {
        const int oldAt = find(m_order, row);
        if (oldAt < 0)  // cannot happen; if it does, start over rather than break
            return startOver();
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

}  // namespace txdesk::models
