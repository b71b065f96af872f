#pragma once

#include "branchgraphview.h"
#include "document/flowdocument.h"

#include <QGraphicsScene>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QGraphicsView>

#include <map>

namespace txdesk::ui {

class FlowScene;

// A designer node: the monitor's branch look, movable, with a port to drag edges from and a
// red outline when validation finds a problem in it.
class DesignerNodeItem : public BranchNodeItem
{
public:
    DesignerNodeItem(FlowScene &scene, const flow::BranchData &data, coord::domain::TxType type)
        : BranchNodeItem(toBranch(data, type)), m_scene(scene), m_id(data.id)
    {
        setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
        setPos(data.pos);
    }

    static coord::domain::Branch toBranch(const flow::BranchData &d, coord::domain::TxType type)
    {
        coord::domain::Branch b;
        b.id = d.id.toStdString();
        b.name = d.name.toStdString();
        b.notRollbackable = d.notRollbackable;
        for (coord::domain::OpKind op : coord::flow::opsFor(type)) {
            auto it = d.endpoints.find(op);
            const bool set = it != d.endpoints.end() && !it->second.trimmed().isEmpty();
            // Set endpoints read as "ready" (green); missing ones as pending (outlined).
            b.ops.push_back({op, set ? it->second.toStdString() : std::string(),
                             set ? coord::domain::OpStatus::Succeeded : coord::domain::OpStatus::Pending, 0, {}});
        }
        return b;
    }

    void setData(const flow::BranchData &d, coord::domain::TxType type)
    {
        setBranch(toBranch(d, type));
        if (pos() != d.pos)
            setPos(d.pos);
    }

    void setError(bool error)
    {
        m_error = error;
        update();
    }

    QString id() const { return m_id; }
    QRectF portRect() const { return QRectF(kWidth - 8, kHeight / 2 - 8, 16, 16); }
    QRectF boundingRect() const override { return BranchNodeItem::boundingRect().adjusted(-3, -3, 11, 3); }

    void paint(QPainter *p, const QStyleOptionGraphicsItem *o, QWidget *w) override
    {
        BranchNodeItem::paint(p, o, w);
        if (m_error || isSelected()) {
            p->setBrush(Qt::NoBrush);
            p->setPen(QPen(m_error ? QColor(0xc6, 0x28, 0x28) : QColor(0x15, 0x65, 0xc0), 2.5));
            p->drawRoundedRect(QRectF(-2, -2, kWidth + 4, kHeight + 4), 9, 9);
        }
        p->setPen(QPen(QColor(0x60, 0x7d, 0x8b), 1.5));
        p->setBrush(Qt::white);
        p->drawEllipse(portRect());
    }

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *e) override;
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *e) override;
private:
    FlowScene &m_scene;
    QString m_id;
    bool m_error = false;
};

// The designer's canvas. Items mirror the document (id -> item) and are rebuilt only from the
// document's change events; every gesture becomes a document command: dragging a node moves it
// (one undo step per drag), dragging from a node's right port to another node adds an ordering
// edge, Delete removes the selection.
class FlowScene : public QGraphicsScene
{
    Q_OBJECT

public:
    explicit FlowScene(flow::FlowDocument &doc, QObject *parent = nullptr);

    DesignerNodeItem *node(const QString &id) const;
    QStringList selectedBranches() const;
    void select(const QString &id);
    void selectAll(const QStringList &ids);
    void setErrors(const QSet<QString> &branchIds);  // branches with validation errors
    int edgeCount() const { return int(m_edges.size()); }

    // Used by the items.
    void nodeDragged(const QString &id, QPointF pos);
    void nodeReleased();
    void startConnection(const QString &from, QPointF at);

protected:
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void onChanged(const flow::FlowChange &change);
    void rebuild();
    void rebuildEdges();
    void updateNode(const QString &id);

    flow::FlowDocument &m_doc;
    std::map<QString, DesignerNodeItem *> m_nodes;
    struct Edge {
        QString from, to;
        QGraphicsPathItem *item;
    };
    std::vector<Edge> m_edges;
    QGraphicsLineItem *m_rubber = nullptr;
    QString m_connectFrom;
    bool m_syncing = false;
};

// The canvas view: Ctrl+wheel zooms around the pointer.
class FlowView : public QGraphicsView
{
public:
    using QGraphicsView::QGraphicsView;

protected:
    void wheelEvent(QWheelEvent *event) override;
};

}  // namespace txdesk::ui
