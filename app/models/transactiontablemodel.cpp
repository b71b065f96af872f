#include "transactiontablemodel.h"

#include "statuscolors.h"
#include "themeicons.h"

#include "domain/operator.h"

#include <QColor>
#include <QDateTime>

#include <string_view>
#include <unordered_map>

namespace txdesk::models {

using coord::domain::TxStatus;
using coord::domain::TxSummary;

namespace {

QString timeText(qint64 ms)
{
    return ms > 0
        ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))
        : QString();
}

}  // namespace

QString originText(coord::domain::TxOrigin origin)
{
    switch (origin) {
    case coord::domain::TxOrigin::DtmHttp:
        return TransactionTableModel::tr("DTM HTTP");
    case coord::domain::TxOrigin::DtmGrpc:
        return TransactionTableModel::tr("DTM gRPC");
    case coord::domain::TxOrigin::Native:
        break;
    }
    return TransactionTableModel::tr("native");
}

namespace {}  // namespace

TransactionTableModel::TransactionTableModel(QObject *parent) : QAbstractTableModel(parent) {}

int TransactionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int TransactionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TransactionTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TxSummary &t = m_rows[index.row()];
    if (role == GidRole)
        return QString::fromStdString(t.gid);
    if (role == StatusRole)
        return static_cast<int>(t.status);
    if (role == TypeRole)
        return static_cast<int>(t.type);
    if (role == StuckRole)
        return !t.stuckReason.empty();
    if (role == SearchRole)  // what the free-text filter looks at
        return QString::fromStdString(t.gid + '\n' + t.businessKey + '\n' + t.flowName) + '\n'
            + originText(t.origin);
    if (role == Qt::ForegroundRole && index.column() == Status)
        return colorOf(t.status);
    if (role == Qt::DecorationRole && index.column() == Status)
        return iconOf(t.status, !t.stuckReason.empty());
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Gid:
        return QString::fromStdString(t.gid);
    case Type:
        return QString::fromStdString(toString(t.type));
    case Status:
        return QString::fromStdString(toString(t.status));
    case Flow:
        return QString::fromStdString(t.flowName);
    case Origin:
        return originText(t.origin);
    case BusinessKey:
        return QString::fromStdString(t.businessKey);
    case Branches:
        return t.branchCount;
    case Created:
        return role == SortRole ? QVariant(qint64(t.createdMs)) : QVariant(timeText(t.createdMs));
    case Updated:
        return role == SortRole ? QVariant(qint64(t.updatedMs)) : QVariant(timeText(t.updatedMs));
    case Stuck:
        return QString::fromStdString(t.stuckReason);
    case NextRetry: {
        if (role == SortRole)
            return qint64(t.nextRetryMs);
        if (coord::domain::isFinal(t.status) || t.nextRetryMs <= 0 || t.retryPaused)
            return t.retryPaused ? tr("paused") : QString();
        const qint64 left = t.nextRetryMs - QDateTime::currentMSecsSinceEpoch();
        return left <= 0 ? tr("due") : tr("in %1 s").arg((left + 999) / 1000);
    }
    case Attempts:
        if (role == SortRole || role == Qt::ToolTipRole)
            return role == SortRole
                ? QVariant(t.retryAttempts)
                : QVariant(tr("attempts so far of the operation being retried"));
        return t.retryAttempts > 0 ? QVariant(t.retryAttempts) : QVariant();
    case Suggested:
        return QString::fromStdString(coord::domain::stuck::suggestedAction(t.stuckReason));
    }
    return {};
}

QVariant TransactionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Gid:
        return tr("GID");
    case Type:
        return tr("Type");
    case Status:
        return tr("Status");
    case Flow:
        return tr("Flow");
    case Origin:
        return tr("Origin");
    case BusinessKey:
        return tr("Business key");
    case Branches:
        return tr("Branches");
    case Created:
        return tr("Created");
    case Updated:
        return tr("Updated");
    case Stuck:
        return tr("Stuck");
    case NextRetry:
        return tr("Next retry");
    case Attempts:
        return tr("Attempts");
    case Suggested:
        return tr("Suggested action");
    }
    return {};
}

void TransactionTableModel::count(const TxSummary &t, int sign)
{
    if (!coord::domain::isFinal(t.status))
        m_unfinished += sign;
    if (!t.stuckReason.empty())
        m_stuck += sign;
}

void TransactionTableModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_rowByGid.clear();
    m_unfinished = m_stuck = 0;
    endResetModel();
}

void TransactionTableModel::upsert(const std::vector<TxSummary> &transactions)
{
    // A burst names the same transaction several times: only the newest of each reaches a row.
    std::unordered_map<std::string_view, const TxSummary *> newest;
    std::vector<const TxSummary *> ordered;  // first appearance order, so new rows keep it
    newest.reserve(transactions.size());
    for (const TxSummary &t : transactions) {
        auto [it, added] = newest.try_emplace(t.gid, &t);
        if (added)
            ordered.push_back(&t);
        else if (t.lastSeq >= it->second->lastSeq)
            it->second = &t;
    }
    std::vector<const TxSummary *> fresh;
    std::vector<int> changed;
    for (const TxSummary *first : ordered) {
        const TxSummary &t = *newest.at(first->gid);
        const int at = m_rowByGid.find(t.gid);
        if (at < 0) {
            fresh.push_back(&t);
            continue;
        }
        TxSummary &row = m_rows[at];
        if (t.lastSeq < row.lastSeq)
            continue;  // older news than what the row shows
        count(row, -1);
        row = t;
        count(row, +1);
        changed.push_back(at);
    }
    // One dataChanged per run of adjacent rows: a range spanning the model would make every
    // proxy re-examine every row in between.
    std::sort(changed.begin(), changed.end());
    for (size_t i = 0; i < changed.size();) {
        size_t j = i;
        while (j + 1 < changed.size() && changed[j + 1] == changed[j] + 1)
            ++j;
        emit dataChanged(index(changed[i], 0), index(changed[j], ColumnCount - 1));
        i = j + 1;
    }
    if (fresh.empty())
        return;
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(fresh.size()) - 1);
    for (const TxSummary *t : fresh) {
        m_rowByGid.insert(t->gid, static_cast<int>(m_rows.size()));
        m_rows.push_back(*t);
        count(m_rows.back(), +1);
    }
    endInsertRows();
}

void TransactionTableModel::applyEvents(const std::vector<coord::domain::Event> &events)
{
    // The newest event of each transaction carries its current summary; the rest are history
    // the table does not show.
    std::unordered_map<std::string_view, const coord::domain::Event *> newest;
    std::vector<const coord::domain::Event *> ordered;
    newest.reserve(events.size());
    for (const auto &e : events) {
        auto [it, added] = newest.try_emplace(e.summary.gid, &e);
        if (added)
            ordered.push_back(&e);
        else if (e.seq >= it->second->seq)
            it->second = &e;
    }
    std::vector<TxSummary> summaries;
    summaries.reserve(ordered.size());
    for (const coord::domain::Event *first : ordered) {
        const coord::domain::Event &e = *newest.at(first->summary.gid);
        summaries.push_back(e.summary);
        summaries.back().lastSeq = std::max(summaries.back().lastSeq, e.seq);
    }
    upsert(summaries);
}

}  // namespace txdesk::models
