#include "flowdocument.h"

#include "flowcommands.h"
#include "flowfile.h"

#include "models/graphlayout.h"

#include <algorithm>

namespace txdesk::document {

using namespace coord::domain;
using coord::flow::FlowIssue;

FlowDocument::FlowDocument(QObject *parent) : QObject(parent)
{
    m_data.name = QStringLiteral("new-flow");
    connect(&m_undo, &QUndoStack::cleanChanged, this, &FlowDocument::fileStateChanged);
}

void FlowDocument::reset(const FlowData &data, const QString &filePath, bool layOut)
{
    m_undo.clear();
    applyData(data, {FlowChange::Kind::Reset, {}});
    if (layOut) {
        autoLayout();
        m_undo.clear();
    }
    m_undo.setClean();
    m_filePath = filePath;
    emit fileStateChanged();
}

void FlowDocument::markSaved(const QString &filePath)
{
    m_filePath = filePath;
    m_undo.setClean();
    emit fileStateChanged();
}

const BranchData *FlowDocument::branch(const QString &id) const
{
    int i = indexOf(id);
    return i < 0 ? nullptr : &m_data.branches[i];
}

int FlowDocument::indexOf(const QString &id) const
{
    for (size_t i = 0; i < m_data.branches.size(); ++i)
        if (m_data.branches[i].id == id)
            return int(i);
    return -1;
}

QString FlowDocument::newBranchId() const
{
    for (int n = 1;; ++n) {
        QString id = QStringLiteral("b%1").arg(n);
        if (indexOf(id) < 0)
            return id;
    }
}

bool FlowDocument::addBranch(BranchData b)
{
    if (b.id.isEmpty())
        b.id = newBranchId();
    if (indexOf(b.id) >= 0)
        return false;
    m_undo.push(new InsertBranchCommand(*this, int(m_data.branches.size()), b, true,
                                        tr("Add branch %1").arg(b.id)));
    return true;
}

bool FlowDocument::removeBranch(const QString &id)
{
    const int index = indexOf(id);
    if (index < 0)
        return false;
    m_undo.beginMacro(tr("Delete branch %1").arg(id));
    for (size_t i = 0; i < m_data.branches.size(); ++i) {
        BranchData d = m_data.branches[i];
        if (d.after.removeAll(id) > 0)
            m_undo.push(
                new SwapBranchCommand(*this, int(i), d, FlowChange::Kind::EdgesChanged, {}));
    }
    m_undo.push(new InsertBranchCommand(*this, index, m_data.branches[index], false, {}));
    m_undo.endMacro();
    return true;
}

void FlowDocument::moveBranch(const QString &id, QPointF pos)
{
    const int index = indexOf(id);
    if (index < 0 || m_data.branches[index].pos == pos)
        return;
    BranchData d = m_data.branches[index];
    d.pos = pos;
    m_undo.push(new SwapBranchCommand(*this, index, d, FlowChange::Kind::BranchMoved,
                                      tr("Move %1").arg(id), 1000 + m_moveMergeId));
}

void FlowDocument::finishMove() { ++m_moveMergeId; }

bool FlowDocument::setBranch(const QString &id, const BranchData &after, const QString &text)
{
    const int index = indexOf(id);
    if (index < 0 || (after.id != id && indexOf(after.id) >= 0) || after.id.isEmpty())
        return false;
    if (m_data.branches[index] == after)
        return true;
    if (after.id == id) {
        m_undo.push(
            new SwapBranchCommand(*this, index, after, FlowChange::Kind::BranchChanged, text));
        return true;
    }
    // A rename also renames the id in every "after" that points at it.
    FlowData d = m_data;
    d.branches[index] = after;
    for (BranchData &b : d.branches)
        for (QString &a : b.after)
            if (a == id)
                a = after.id;
    m_undo.push(new SwapDataCommand(*this, d, FlowChange::Kind::Reset, text));
    return true;
}

bool FlowDocument::addEdge(const QString &from, const QString &to)
{
    const int index = indexOf(to);
    if (index < 0 || indexOf(from) < 0 || from == to || m_data.branches[index].after.contains(from))
        return false;
    BranchData d = m_data.branches[index];
    d.after.append(from);
    m_undo.push(new SwapBranchCommand(*this, index, d, FlowChange::Kind::EdgesChanged,
                                      tr("Run %1 after %2").arg(to, from)));
    return true;
}

bool FlowDocument::removeEdge(const QString &from, const QString &to)
{
    const int index = indexOf(to);
    if (index < 0 || !m_data.branches[index].after.contains(from))
        return false;
    BranchData d = m_data.branches[index];
    d.after.removeAll(from);
    m_undo.push(new SwapBranchCommand(*this, index, d, FlowChange::Kind::EdgesChanged,
                                      tr("Remove ordering %1 → %2").arg(from, to)));
    return true;
}

void FlowDocument::setFlow(const QString &name, TxType type, const TxOptions &options)
{
    FlowData d = m_data;
    d.name = name;
    d.type = type;
    d.options = options;
    if (d == m_data)
        return;
    if (type != m_data.type)  // the operations differ: keep what maps, drop the rest
        for (BranchData &b : d.branches) {
            std::map<OpKind, QString> mapped;
            auto first = [&](OpKind k) {
                return b.endpoints.count(k) ? b.endpoints.at(k) : QString();
            };
            if (type == TxType::Tcc) {
                mapped[OpKind::Try] = first(OpKind::Action);
                mapped[OpKind::Cancel] = first(OpKind::Compensate);
                mapped[OpKind::Confirm] = QString();
            } else {
                mapped[OpKind::Action] = first(OpKind::Try);
                mapped[OpKind::Compensate] = first(OpKind::Cancel);
            }
            b.endpoints = mapped;
        }
    m_undo.push(
        new SwapDataCommand(*this, d, FlowChange::Kind::FlowChanged, tr("Change flow settings")));
}

void FlowDocument::autoLayout()
{
    std::vector<models::GraphNodeSpec> specs;
    for (const BranchData &b : m_data.branches) {
        models::GraphNodeSpec s{b.id.toStdString(), {}};
        for (const QString &a : b.after)
            s.after.push_back(a.toStdString());
        specs.push_back(s);
    }
    auto at = models::layeredLayout(specs, 240, 110);
    FlowData d = m_data;
    for (BranchData &b : d.branches)
        b.pos = at[b.id.toStdString()];
    if (!(d == m_data))
        m_undo.push(new SwapDataCommand(*this, d, FlowChange::Kind::Reset, tr("Auto-layout")));
}

void FlowDocument::setExploreChecks(const ExploreChecks &checks)
{
    if (checks == m_data.explore)
        return;
    FlowData d = m_data;
    d.explore = checks;
    m_undo.push(new SwapDataCommand(*this, d, FlowChange::Kind::FlowChanged,
                                    tr("Edit the explorer's checks")));
}

void FlowDocument::replaceAll(const FlowData &data, const QString &text)
{
    m_undo.push(new SwapDataCommand(*this, data, FlowChange::Kind::Reset, text));
}

QStringList FlowDocument::paste(const std::vector<BranchData> &branches, QPointF offset)
{
    std::map<QString, QString> renamed;
    QStringList taken;
    for (const BranchData &b : m_data.branches)
        taken << b.id;
    for (const BranchData &b : branches) {
        QString id = b.id;
        for (int n = 1; taken.contains(id); ++n)
            id = n == 1 ? b.id + QStringLiteral("_copy")
                        : QStringLiteral("%1_copy%2").arg(b.id).arg(n);
        taken << id;
        renamed[b.id] = id;
    }
    QStringList added;
    m_undo.beginMacro(tr("Paste %n branch(es)", nullptr, int(branches.size())));
    for (BranchData b : branches) {
        b.id = renamed[b.id];
        QStringList after;
        for (const QString &a : b.after)
            if (renamed.count(a))
                after << renamed[a];  // ordering inside the pasted group survives
        b.after = after;
        b.pos += offset;
        m_undo.push(new InsertBranchCommand(*this, int(m_data.branches.size()), b, true, {}));
        added << b.id;
    }
    m_undo.endMacro();
    return added;
}

void FlowDocument::applyData(const FlowData &data, const FlowChange &change)
{
    m_data = data;
    emit changed(change);
}

void FlowDocument::applyBranch(int index, const BranchData &branch, FlowChange::Kind kind)
{
    m_data.branches[index] = branch;
    emit changed({kind, branch.id});
}

void FlowDocument::insertBranch(int index, const BranchData &branch)
{
    m_data.branches.insert(m_data.branches.begin() + index, branch);
    emit changed({FlowChange::Kind::BranchAdded, branch.id});
}

void FlowDocument::eraseBranch(int index)
{
    const QString id = m_data.branches[index].id;
    m_data.branches.erase(m_data.branches.begin() + index);
    emit changed({FlowChange::Kind::BranchRemoved, id});
}

std::optional<coord::flow::FlowDefinition> FlowDocument::toDefinition(
    std::vector<FlowIssue> *issues) const
{
    return document::toDefinition(m_data, issues);
}

std::vector<FlowIssue> FlowDocument::validate() const
{
    std::vector<FlowIssue> issues;
    auto def = toDefinition(&issues);
    coord::flow::FlowDefinition shape = def ? *def : coord::flow::FlowDefinition{};
    if (!def) {  // still check the rest: ordering, endpoints...
        std::vector<FlowIssue> ignored;
        FlowDocument copy;
        copy.m_data = m_data;
        for (BranchData &b : copy.m_data.branches)
            b.payload = QStringLiteral("{}");
        shape = *copy.toDefinition(&ignored);
    }
    auto more = coord::flow::validateFlow(shape);
    issues.insert(issues.end(), more.begin(), more.end());
    return issues;
}

}  // namespace txdesk::document
