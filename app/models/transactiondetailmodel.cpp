#include "transactiondetailmodel.h"

#include "operationstate.h"
#include "statuscolors.h"
#include "themeicons.h"

#include <QColor>
#include <QDateTime>

namespace txdesk::models {

using namespace coord::domain;

namespace {

// internalId: 0 = a branch row; 1 + b = an operation of branch b; kAttempt | b << 20 | o = an
// attempt of operation o of branch b.
constexpr quintptr kAttempt = quintptr(1) << 40;

QString timeText(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss.zzz"))
                  : QString();
}

}  // namespace

TransactionDetailModel::TransactionDetailModel(QObject *parent) : QAbstractItemModel(parent) {}

bool TransactionDetailModel::sameShape(const Transaction &tx) const
{
    if (tx.summary.gid != m_tx.summary.gid || tx.branches.size() != m_tx.branches.size())
        return false;
    for (size_t b = 0; b < tx.branches.size(); ++b) {
        if (tx.branches[b].id != m_tx.branches[b].id
            || tx.branches[b].ops.size() != m_tx.branches[b].ops.size())
            return false;
        for (size_t o = 0; o < tx.branches[b].ops.size(); ++o)
            if (tx.branches[b].ops[o].attempts.size() < m_tx.branches[b].ops[o].attempts.size())
                return false;
    }
    return true;
}

void TransactionDetailModel::setTransaction(const Transaction &tx)
{
    if (!sameShape(tx)) {
        beginResetModel();
        m_tx = tx;
        endResetModel();
        return;
    }
    // Same transaction, later: append the new attempts and refresh the rest in place.
    for (size_t b = 0; b < tx.branches.size(); ++b) {
        const QModelIndex branch = index(int(b), 0);
        for (size_t o = 0; o < tx.branches[b].ops.size(); ++o) {
            Operation &mine = m_tx.branches[b].ops[o];
            const Operation &theirs = tx.branches[b].ops[o];
            const QModelIndex op = index(int(o), 0, branch);
            const int have = int(mine.attempts.size()), now = int(theirs.attempts.size());
            if (now > have) {
                beginInsertRows(op, have, now - 1);
                mine.attempts = theirs.attempts;
                endInsertRows();
            }
            mine = theirs;
            emit dataChanged(op, index(int(o), ColumnCount - 1, branch));
        }
        m_tx.branches[b] = tx.branches[b];
        emit dataChanged(branch, index(int(b), ColumnCount - 1));
    }
    m_tx.summary = tx.summary;
}

QModelIndex TransactionDetailModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < int(m_tx.branches.size()) ? createIndex(row, column, quintptr(0))
                                               : QModelIndex();
    const quintptr id = parent.internalId();
    if (id == 0) {  // parent is a branch
        const auto &ops = m_tx.branches[parent.row()].ops;
        return row < int(ops.size()) ? createIndex(row, column, quintptr(1 + parent.row()))
                                     : QModelIndex();
    }
    if (id < kAttempt) {  // parent is an operation
        const int b = int(id - 1);
        const auto &attempts = m_tx.branches[b].ops[parent.row()].attempts;
        return row < int(attempts.size())
            ? createIndex(row, column, kAttempt | (quintptr(b) << 20) | quintptr(parent.row()))
            : QModelIndex();
    }
    return {};
}

QModelIndex TransactionDetailModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const quintptr id = child.internalId();
    if (id == 0)
        return {};
    if (id < kAttempt)
        return createIndex(int(id - 1), 0, quintptr(0));
    const int b = int((id & ~kAttempt) >> 20), o = int(id & 0xFFFFF);
    return createIndex(o, 0, quintptr(1 + b));
}

int TransactionDetailModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_tx.branches.size());
    if (parent.column() != 0)
        return 0;
    const quintptr id = parent.internalId();
    if (id == 0)
        return int(m_tx.branches[parent.row()].ops.size());
    if (id < kAttempt)
        return int(m_tx.branches[id - 1].ops[parent.row()].attempts.size());
    return 0;
}

int TransactionDetailModel::columnCount(const QModelIndex &) const { return ColumnCount; }

QVariant TransactionDetailModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const quintptr id = index.internalId();
    const int col = index.column();
    if (id == 0) {
        const Branch &b = m_tx.branches[index.row()];
        if (role == BranchIdRole)
            return QString::fromStdString(b.id);
        if (role != Qt::DisplayRole)
            return {};
        if (col == Name)
            return QString::fromStdString(b.name.empty() ? b.id : b.id + " — " + b.name);
        if (col == Detail)
            return b.after.empty() ? QString() : tr("after %1").arg(QString::fromStdString([&] {
                std::string s;
                for (const auto &a : b.after)
                    s += (s.empty() ? "" : ", ") + a;
                return s;
            }()));
        if (col == Status && b.notRollbackable)
            return tr("not rollbackable");
        return {};
    }
    if (id < kAttempt) {
        const Branch &b = m_tx.branches[id - 1];
        const Operation &o = b.ops[index.row()];
        if (role == BranchIdRole)
            return QString::fromStdString(b.id);
        if (role == OpRole)
            return int(o.op);
        const OperationState state = stateOf(o, m_tx.summary, QDateTime::currentMSecsSinceEpoch());
        if (role == Qt::ForegroundRole && col == Status)
            return state.retrying ? retryingColor().darker(150) : colorOf(o.status);
        if (role == Qt::DecorationRole && col == Status)
            return iconOf(o.status, state.retrying);
        if (role != Qt::DisplayRole)
            return {};
        switch (col) {
        case Name:
            return QString::fromStdString(toString(o.op));
        case Status:
            if (state.retrying)  // "RUNNING · attempt 30 · next in 4 s"
                return QStringLiteral("%1 · %2").arg(QString::fromStdString(toString(o.status)),
                                                     state.retryText());
            return QString::fromStdString(toString(o.status));
        case Attempts:
            return o.attemptCount;
        case Error:
            return o.attempts.empty() ? QString() : QString::fromStdString(o.attempts.back().error);
        case Detail:
            return QString::fromStdString(o.endpoint);
        }
        return {};
    }
    const int b = int((id & ~kAttempt) >> 20), opRow = int(id & 0xFFFFF);
    const Operation &o = m_tx.branches[b].ops[opRow];
    const Attempt &a = o.attempts[index.row()];
    if (role == Qt::ForegroundRole && col == Outcome)
        return colorOf(a.outcome);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (col) {
    case Name:
        return tr("attempt %1").arg(index.row() + 1);
    case Outcome:
        return QStringLiteral("%1 (%2)")
            .arg(QString::fromStdString(toString(a.outcome)))
            .arg(a.statusCode);
    case Error:
        return QString::fromStdString(a.error);
    case Started:
        return timeText(a.startedMs);
    case Duration:
        return tr("%1 ms").arg(a.endedMs - a.startedMs);
    case Detail:
        return QString::fromStdString(a.responseExcerpt);
    }
    return {};
}

QVariant TransactionDetailModel::headerData(int section, Qt::Orientation orientation,
                                            int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *names[] = {"Branch / operation",
                                  "Status",
                                  "Attempts",
                                  "Outcome (code)",
                                  "Error",
                                  "Started",
                                  "Duration",
                                  "Endpoint / response"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

}  // namespace txdesk::models
