#pragma once

#include "branchgraphview.h"
#include "document/flowdocument.h"

class QGraphicsSceneMouseEvent;

namespace txdesk::ui {

class FlowScene;

// A designer node: the monitor's branch look, movable, with a port to drag edges from and a
// red outline when validation finds a problem in it.
class DesignerNodeItem : public BranchNodeItem
{
public:
    DesignerNodeItem(FlowScene &scene, const document::BranchData &data, coord::domain::TxType type)
        : BranchNodeItem(toBranch(data, type), endpointPalette()), m_scene(scene), m_id(data.id)
    {
        setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
        setPos(data.pos);
        noteEndpoint();
    }

    // Endpoints filled in are drawn "ready" (green), missing ones outlined.
    static const NodePalette &endpointPalette();
    static coord::domain::Branch toBranch(const document::BranchData &d, coord::domain::TxType type)
    {
        coord::domain::Branch b;
        b.id = d.id.toStdString();
        b.name = d.name.toStdString();
        b.notRollbackable = d.notRollbackable;
        for (coord::domain::OpKind op : coord::flow::opsFor(type)) {
            auto it = d.endpoints.find(op);
            const bool set = it != d.endpoints.end() && !it->second.trimmed().isEmpty();
            b.ops.push_back({op,
                             set ? it->second.toStdString() : std::string(),
                             coord::domain::OpStatus::Pending,
                             0,
                             {}});
        }
        return b;
    }

    void setData(const document::BranchData &d, coord::domain::TxType type)
    {
        setBranch(toBranch(d, type));
        noteEndpoint();
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
    QRectF boundingRect() const override
    {
        return BranchNodeItem::boundingRect().adjusted(-3, -3, 11, 3);
    }

    void paint(QPainter *p, const QStyleOptionGraphicsItem *o, QWidget *w) override;

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *e) override;
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *e) override;

private:
    void noteEndpoint();  // the note under the pills: the first endpoint, or that none is set

    FlowScene &m_scene;
    QString m_id;
    bool m_error = false;
};

}  // namespace txdesk::ui
