#pragma once

#include "domain/types.h"

#include <QAbstractItemModel>

namespace txdesk::models {

// One transaction as a tree: branches, their operations, and each operation's attempts.
// Refreshing the same transaction inserts new attempts and changes rows in place.
class TransactionDetailModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { Name, Status, Attempts, Outcome, Error, Started, Duration, Detail, ColumnCount };
    enum Role { BranchIdRole = Qt::UserRole + 1, OpRole };

    explicit TransactionDetailModel(QObject *parent = nullptr);

    void setTransaction(const coord::domain::Transaction &tx);
    const coord::domain::Transaction &transaction() const { return m_tx; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    bool sameShape(const coord::domain::Transaction &tx) const;
    coord::domain::Transaction m_tx;
};

}  // namespace txdesk::models
