#pragma once

#include "models/timelinemapping.h"

#include <QWidget>

namespace txdesk::ui {

// Gantt lanes, one per branch: every attempt is a bar (actions/tries, confirms and
// compensations/cancels look different; failed and retried attempts are coloured by outcome).
// Wheel zooms around the pointer, dragging pans, right click fits the whole transaction again;
// hovering a bar shows the attempt; a legend along the bottom names each kind of bar.
class TimelineWidget : public QWidget
{
    Q_OBJECT

public:
    explicit TimelineWidget(QWidget *parent = nullptr);

    void setTransaction(const coord::domain::Transaction &tx);
    void fitAll();
    const models::TimelineMapping &mapping() const { return m_map; }
    // The tooltip of the bar at pos (attempt, outcome, status code, duration, error, response
    // excerpt), or "" where there is none; the legend's entries, in order.
    QString toolTipAt(QPoint pos) const;
    QStringList legend() const;

protected:
    void paintEvent(QPaintEvent *) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *) override;
    bool event(QEvent *e) override;

private:
    int laneAt(int y) const;
    const models::TimelineBar *barAt(QPoint pos) const;
    void paintLegend(QPainter &p);

    coord::domain::Transaction m_tx;
    std::vector<models::TimelineBar> m_bars;
    models::TimelineMapping m_map;
    bool m_userMoved = false;
    QPoint m_dragFrom;
    static constexpr int kLabelWidth = 150;
    static constexpr int kLaneHeight = 26;
    static constexpr int kAxisHeight = 22;
    static constexpr int kLegendHeight = 22;
};

}  // namespace txdesk::ui
