#pragma once

#include "domain/types.h"

#include <QSet>
#include <QSortFilterProxyModel>

namespace txdesk::models {

// Filters the transaction table by status, type, stuck-ness, age and free text (gid, business
// key, flow name), and sorts it by the source's SortRole.
class TransactionFilterProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit TransactionFilterProxyModel(QObject *parent = nullptr);

    void setStatuses(const QSet<int> &statuses);  // empty = all
    void setType(int type);                       // 0 = all
    void setStuckOnly(bool stuckOnly);
    void setText(const QString &text);
    void setMaxAgeMs(qint64 ms);  // 0 = any age

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    // Compares the rows' values directly (no QVariant per comparison: 1M rows sort fast).
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void refilter();

    QSet<int> m_statuses;
    int m_type = 0;
    bool m_stuckOnly = false;
    QString m_text;
    std::string m_needle;  // m_text, lower-case UTF-8
    qint64 m_maxAgeMs = 0;
};

}  // namespace txdesk::models
