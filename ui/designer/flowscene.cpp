#include "flowscene.h"

#include "branchgraphview.h"

#include <QGraphicsPathItem>
#include <QGraphicsSceneMouseEvent>
#include <QKeyEvent>
#include <QWheelEvent>
#include <QPainter>

namespace txdesk::ui {

using coord::domain::OpKind;
using coord::domain::OpStatus;

FlowScene::FlowScene(document::FlowDocument &doc, QObject *parent)
    : QGraphicsScene(parent), m_doc(doc)
{
    connect(&m_doc, &document::FlowDocument::changed, this, &FlowScene::onChanged);
    rebuild();
}

DesignerNodeItem *FlowScene::node(const QString &id) const
{
    auto it = m_nodes.find(id);
    return it == m_nodes.end() ? nullptr : it->second;
}

QStringList FlowScene::selectedBranches() const
{
    QStringList out;
    for (QGraphicsItem *item : selectedItems())
        if (auto *n = dynamic_cast<DesignerNodeItem *>(item))
            out << n->id();
    return out;
}

void FlowScene::select(const QString &id)
{
    clearSelection();
    if (auto *n = node(id)) {
        n->setSelected(true);
        for (QGraphicsView *v : views())
            v->ensureVisible(n);
    }
}

void FlowScene::selectAll(const QStringList &ids)
{
    clearSelection();
    for (const QString &id : ids)
        if (auto *n = node(id))
            n->setSelected(true);
}

void FlowScene::setErrors(const QSet<QString> &ids)
{
    for (auto &[id, item] : m_nodes)
        item->setError(ids.contains(id));
}

void FlowScene::onChanged(const document::FlowChange &change)
{
    using Kind = document::FlowChange::Kind;
    switch (change.kind) {
    case Kind::BranchChanged:
    case Kind::BranchMoved:
        updateNode(change.branchId);
        rebuildEdges();
        break;
    case Kind::EdgesChanged:
        updateNode(change.branchId);
        rebuildEdges();
        break;
    default:
        rebuild();
    }
}

void FlowScene::updateNode(const QString &id)
{
    const document::BranchData *d = m_doc.branch(id);
    DesignerNodeItem *n = node(id);
    if (!d || !n)
        return rebuild();
    m_syncing = true;
    n->setData(*d, m_doc.data().type);
    m_syncing = false;
}

void FlowScene::rebuild()
{
    const QStringList selected = selectedBranches();
    for (auto &[id, item] : m_nodes)
        delete item;
    m_nodes.clear();
    m_syncing = true;
    for (const document::BranchData &b : m_doc.data().branches) {
        auto *item = new DesignerNodeItem(*this, b, m_doc.data().type);
        item->setZValue(1);
        addItem(item);
        m_nodes[b.id] = item;
        item->setSelected(selected.contains(b.id));
    }
    m_syncing = false;
    rebuildEdges();
}

void FlowScene::rebuildEdges()
{
    for (Edge &e : m_edges)
        delete e.item;
    m_edges.clear();
    for (const document::BranchData &b : m_doc.data().branches)
        for (const QString &a : b.after) {
            DesignerNodeItem *from = node(a), *to = node(b.id);
            if (!from || !to)
                continue;
            auto *item = addPath(edgePath(from->outPort(), to->inPort()), edgePen());
            item->setFlag(QGraphicsItem::ItemIsSelectable);
            item->setToolTip(
                tr("%1 runs after %2 (select and press Delete to remove)").arg(b.id, a));
            m_edges.push_back({a, b.id, item});
        }
}

void FlowScene::nodeDragged(const QString &id, QPointF pos)
{
    if (m_syncing)
        return;
    m_doc.moveBranch(id, pos);
}

void FlowScene::nodeReleased() { m_doc.finishMove(); }

void FlowScene::startConnection(const QString &from, QPointF at)
{
    m_connectFrom = from;
    m_rubber = addLine(QLineF(at, at), QPen(QColor(0x15, 0x65, 0xc0), 1.5, Qt::DashLine));
}

void FlowScene::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_rubber) {
        m_rubber->setLine(QLineF(m_rubber->line().p1(), event->scenePos()));
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void FlowScene::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_rubber) {
        delete m_rubber;
        m_rubber = nullptr;
        for (QGraphicsItem *item : items(event->scenePos()))
            if (auto *target = dynamic_cast<DesignerNodeItem *>(item)) {
                m_doc.addEdge(m_connectFrom, target->id());
                break;
            }
        m_connectFrom.clear();
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
}

void FlowScene::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) {
        QList<std::pair<QString, QString>> edges;
        for (const Edge &e : m_edges)
            if (e.item->isSelected())
                edges.append({e.from, e.to});
        const QStringList nodes = selectedBranches();
        if (edges.size() + nodes.size() > 1)
            m_doc.undoStack()->beginMacro(tr("Delete selection"));
        for (const auto &[from, to] : edges)
            m_doc.removeEdge(from, to);
        for (const QString &id : nodes)
            m_doc.removeBranch(id);
        if (edges.size() + nodes.size() > 1)
            m_doc.undoStack()->endMacro();
        return;
    }
    QGraphicsScene::keyPressEvent(event);
}

}  // namespace txdesk::ui
