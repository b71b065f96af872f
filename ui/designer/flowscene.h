#pragma once

#include "designernodeitem.h"
#include "document/flowdocument.h"

#include <QGraphicsScene>

#include <map>

namespace txdesk::ui {

// The designer's canvas. Items mirror the document (id -> item) and are rebuilt only from the
// document's change events; every gesture becomes a document command: dragging a node moves it
// (one undo step per drag), dragging from a node's right port to another node adds an ordering
// edge, Delete removes the selection.
class FlowScene : public QGraphicsScene
{
    Q_OBJECT

public:
    explicit FlowScene(document::FlowDocument &doc, QObject *parent = nullptr);

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
    void onChanged(const document::FlowChange &change);
    void rebuild();
    void rebuildEdges();
    void updateNode(const QString &id);

    document::FlowDocument &m_doc;
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

}  // namespace txdesk::ui
