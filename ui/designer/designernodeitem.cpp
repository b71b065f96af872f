#include "designernodeitem.h"

#include "flowscene.h"

#include "models/statuscolors.h"

#include <QCoreApplication>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>

namespace txdesk::ui {

namespace {

class EndpointPalette : public NodePalette
{
public:
    PillColors pill(const coord::domain::Operation &op) const override
    {
        return op.endpoint.empty() ? PillColors::outlined()
                                   : PillColors::filled(models::readyColor());
    }
};

}  // namespace

const NodePalette &DesignerNodeItem::endpointPalette()
{
    static const EndpointPalette palette;
    return palette;
}

void DesignerNodeItem::noteEndpoint()
{
    for (const coord::domain::Operation &op : branch().ops)
        if (!op.endpoint.empty())
            return setNote(QString::fromStdString(op.endpoint));
    setNote(QCoreApplication::translate("DesignerNodeItem", "no endpoint yet"));
}

void DesignerNodeItem::paint(QPainter *p, const QStyleOptionGraphicsItem *o, QWidget *w)
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

void DesignerNodeItem::mousePressEvent(QGraphicsSceneMouseEvent *e)
{
    if (portRect().contains(e->pos())) {
        m_scene.startConnection(m_id, e->scenePos());
        e->accept();
        return;
    }
    BranchNodeItem::mousePressEvent(e);
}

QVariant DesignerNodeItem::itemChange(GraphicsItemChange change, const QVariant &value)
{
    if (change == ItemPositionHasChanged)
        m_scene.nodeDragged(m_id, value.toPointF());
    return BranchNodeItem::itemChange(change, value);
}

void DesignerNodeItem::mouseReleaseEvent(QGraphicsSceneMouseEvent *e)
{
    BranchNodeItem::mouseReleaseEvent(e);
    m_scene.nodeReleased();
}

}  // namespace txdesk::ui
