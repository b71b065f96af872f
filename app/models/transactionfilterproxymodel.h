#pragma once

#include "domain/types.h"

#include <QAbstractProxyModel>
#include <QSet>

#include <functional>
#include <string>
#include <vector>

namespace txdesk::models {

class TransactionTableModel;

// What the monitor's filter bar selects; applied in one pass.
struct TransactionFilter {
    QSet<int> statuses;  // empty = all
    int type = 0;        // 0 = all
    bool stuckOnly = false;
    QString text;  // in the gid, business key or flow name, ASCII case-insensitive
    bool operator==(const TransactionFilter &) const = default;
};

// The transaction table filtered and sorted, for a million rows and thousands of updates a
// second. Every source row is kept in sort order with its sort key remembered, so a filter
// change is one pass over the rows without sorting, a new row is placed by binary search, and an
// update touches only the row it changes (moved when its key changed, shown or hidden when the
// filter's verdict did). Its source is a TransactionTableModel.
class TransactionFilterProxyModel : public QAbstractProxyModel
{
    Q_OBJECT

public:
    explicit TransactionFilterProxyModel(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *source) override;

    void setFilter(const TransactionFilter &filter);
    const TransactionFilter &filter() const { return m_filter; }
    void setStatuses(const QSet<int> &statuses);
    void setType(int type);
    void setStuckOnly(bool stuckOnly);
    void setText(const QString &text);

    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QModelIndex mapToSource(const QModelIndex &proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex &sourceIndex) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    // A row's value in the sort column: a number, or a text for the text columns.
    struct Key {
        int64_t number = 0;
        std::string text;
        bool operator==(const Key &) const = default;
    };

    Key keyOf(int sourceRow) const;
    int compare(const Key &a, int b) const;  // a against row b's remembered key
    bool before(const Key &a, int aRow, int b) const;
    bool rowBefore(int a, int b) const;  // by both rows' remembered keys
    // Where a row with `key` belongs among `rows`, leaving out the element at `skip` (-1: none).
    int placeOf(const std::vector<int> &rows, const Key &key, int sourceRow, int skip) const;
    int find(const std::vector<int> &rows, int sourceRow) const;  // -1 when absent
    void setKey(int sourceRow, Key key);

    bool accepts(int sourceRow) const;
    void rebuild();    // keys, order and visible rows, from the source
    void startOver();  // rebuild() as a model reset
    void refilter();
    std::vector<int> visibleOf(const std::vector<int> &rows) const;
    // Applies `change` to the visible rows as one layout change, keeping persistent indexes on
    // their rows.
    void relayout(const std::function<void()> &change);

    void onRowsInserted(int first, int last);
    void onDataChanged(int top, int bottom);
    void onRowChanged(int sourceRow);

    const TransactionTableModel *m_source = nullptr;
    TransactionFilter m_filter;
    std::string m_needle;  // the filter's text, lower-case UTF-8
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    bool m_textKeys = false;            // the sort column holds text
    std::vector<int64_t> m_numberKeys;  // per source row, when sorted by a number
    std::vector<std::string> m_texts;   // per source row, when sorted by text
    std::vector<int> m_order;           // every source row, in sort order
    std::vector<int> m_visible;         // proxy row -> source row: m_order filtered
    std::vector<QMetaObject::Connection> m_connections;
};

}  // namespace txdesk::models
