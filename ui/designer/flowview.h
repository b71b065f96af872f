#pragma once

#include <QGraphicsView>

namespace txdesk::ui {

// The canvas view: Ctrl+wheel zooms around the pointer.
class FlowView : public QGraphicsView
{
public:
    using QGraphicsView::QGraphicsView;

protected:
    void wheelEvent(QWheelEvent *event) override;
};

}  // namespace txdesk::ui
