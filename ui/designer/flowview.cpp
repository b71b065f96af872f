#include "flowview.h"

#include <QWheelEvent>

namespace txdesk::ui {

void FlowView::wheelEvent(QWheelEvent *event)
{
    if (!(event->modifiers() & Qt::ControlModifier))
        return QGraphicsView::wheelEvent(event);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    const double f = event->angleDelta().y() > 0 ? 1.15 : 1 / 1.15;
    scale(f, f);
}

}  // namespace txdesk::ui
