#pragma once

#include "transactionrows.h"

#include "domain/types.h"

#include <QAbstractTableModel>

#include <vector>

namespace txdesk::models {

// How the table and the detail name a transaction's origin: "DTM HTTP", "DTM gRPC", "native".
QString originText(coord::domain::TxOrigin origin);

// All known transactions, one row each, kept current by events: rows are inserted or changed
// in place (dataChanged), never reset per update. Sorting and filtering live in a proxy.
class TransactionTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Gid,
        Type,
        Status,
        Flow,
        Origin,
        BusinessKey,
        Branches,
        Created,
        Updated,
        Stuck,
        NextRetry,
        Attempts,  // of the operation being retried
        Suggested,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole + 1, StatusRole, GidRole, TypeRole, StuckRole, SearchRole };

    explicit TransactionTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void clear();
    // Inserts new transactions and updates known ones (by gid).
    void upsert(const std::vector<coord::domain::TxSummary> &transactions);
    void applyEvents(const std::vector<coord::domain::Event> &events);

    int rowOf(const QString &gid) const { return m_rowByGid.find(gid.toStdString()); }
    int unfinishedCount() const { return m_unfinished; }
    int stuckCount() const { return m_stuck; }
    const coord::domain::TxSummary &summaryAt(int row) const { return m_rows[row]; }

private:
    SummaryRows m_rows;
    GidIndex m_rowByGid;
    int m_unfinished = 0;  // kept as rows change, for the dashboards
    int m_stuck = 0;
    void count(const coord::domain::TxSummary &t, int sign);
};

}  // namespace txdesk::models
