#include "timelinewidget.h"

#include "models/statuscolors.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>

namespace txdesk::ui {

using namespace coord::domain;

namespace {

// What a bar shows, drawn one way each; the legend lists them in this order.
enum class BarKind { Done, Confirm, Undo, Transient, Ongoing, Failed, Count };

struct BarStyle {
    QColor color;
    bool hatched;
    const char *label;
};

BarStyle styleOf(BarKind kind)
{
    switch (kind) {
    case BarKind::Done:
        return {models::colorOf(AttemptOutcome::Success), false, "action / try succeeded"};
    case BarKind::Confirm:
        return {QColor(0x00, 0x83, 0x8f), false, "confirm"};
    case BarKind::Undo:
        return {QColor(0x6a, 0x1b, 0x9a), true, "compensate / cancel"};
    case BarKind::Transient:
        return {models::colorOf(AttemptOutcome::Transient), false, "transient error (retried)"};
    case BarKind::Ongoing:
        return {QColor(0x90, 0xa4, 0xae), false, "answered ONGOING (retried)"};
    case BarKind::Failed:
    case BarKind::Count:
        break;
    }
    return {models::colorOf(AttemptOutcome::Failure), false, "failed"};
}

BarKind kindOf(const models::TimelineBar &b)
{
    switch (b.outcome) {
    case AttemptOutcome::Failure:
        return BarKind::Failed;
    case AttemptOutcome::Transient:
        return BarKind::Transient;
    case AttemptOutcome::Ongoing:
        return BarKind::Ongoing;
    case AttemptOutcome::Success:
        break;
    }
    return b.undo ? BarKind::Undo : b.op == OpKind::Confirm ? BarKind::Confirm : BarKind::Done;
}

void fillBar(QPainter &p, const QRectF &r, const BarStyle &style)
{
    p.fillRect(r, style.color);
    if (style.hatched)  // compensations are hatched as well as coloured
        p.fillRect(r, QBrush(Qt::white, Qt::BDiagPattern));
}

}  // namespace

TimelineWidget::TimelineWidget(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumHeight(120 + kLegendHeight);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void TimelineWidget::setTransaction(const Transaction &tx)
{
    const bool other = tx.summary.gid != m_tx.summary.gid;
    m_tx = tx;
    m_bars = models::timelineBars(tx);
    if (other)
        m_userMoved = false;
    if (!m_userMoved)
        fitAll();
    update();
}

void TimelineWidget::fitAll()
{
    qint64 from = m_tx.summary.createdMs, to = from + 1;
    for (const auto &b : m_bars) {
        from = std::min(from, b.startMs);
        to = std::max(to, b.endMs);
    }
    const qint64 pad = std::max<qint64>((to - from) / 20, 1);
    m_map = models::TimelineMapping::fit(from - pad, to + pad, kLabelWidth,
                                         width() - kLabelWidth - 8);
}

void TimelineWidget::resizeEvent(QResizeEvent *)
{
    if (!m_userMoved)
        fitAll();
}

int TimelineWidget::laneAt(int y) const { return (y - kAxisHeight) / kLaneHeight; }

const models::TimelineBar *TimelineWidget::barAt(QPoint pos) const
{
    const int lane = laneAt(pos.y());
    const qint64 ms = m_map.toMs(pos.x());
    const qint64 slack = qint64(3 * m_map.msPerPixel);  // thin bars stay hoverable
    for (const auto &b : m_bars)
        if (b.lane == lane && ms >= b.startMs - slack && ms <= b.endMs + slack)
            return &b;
    return nullptr;
}

void TimelineWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    if (m_tx.branches.empty()) {
        p.drawText(rect(), Qt::AlignCenter, tr("Select a transaction to see its timeline"));
        return;
    }
    // Axis with "nice" ticks, relative to the transaction's creation.
    p.setPen(palette().color(QPalette::Mid));
    const qint64 step = m_map.tickStepMs(90);
    const qint64 origin = m_tx.summary.createdMs;
    qint64 first = m_map.toMs(kLabelWidth);
    first = origin + ((first - origin) / step) * step;
    for (qint64 t = first; m_map.toX(t) < width(); t += step) {
        const double x = m_map.toX(t);
        if (x < kLabelWidth)
            continue;
        p.drawLine(QPointF(x, kAxisHeight - 4), QPointF(x, height()));
        p.drawText(QPointF(x + 3, kAxisHeight - 8),
                   step >= 1000 ? tr("+%1 s").arg((t - origin) / 1000.0, 0, 'g', 6)
                                : tr("+%1 ms").arg(t - origin));
    }
    // Lanes and their labels.
    for (size_t lane = 0; lane < m_tx.branches.size(); ++lane) {
        const int y = kAxisHeight + int(lane) * kLaneHeight;
        if (lane % 2)
            p.fillRect(QRect(0, y, width(), kLaneHeight), palette().alternateBase());
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(6, y, kLabelWidth - 10, kLaneHeight), Qt::AlignVCenter | Qt::AlignLeft,
                   QString::fromStdString(m_tx.branches[lane].id));
    }
    // Bars: clipped to the view, at least 2 px wide so one-millisecond calls stay visible.
    p.setClipRect(QRect(kLabelWidth, 0, width() - kLabelWidth, height()));
    for (const auto &b : m_bars) {
        double x1 = m_map.toX(b.startMs), x2 = std::max(m_map.toX(b.endMs), x1 + 2);
        if (x2 < kLabelWidth || x1 > width())
            continue;
        const int y = kAxisHeight + b.lane * kLaneHeight + 5;
        fillBar(p, QRectF(x1, y, x2 - x1, kLaneHeight - 10), styleOf(kindOf(b)));
    }
    p.setClipping(false);
    paintLegend(p);
}

// Along the bottom: a swatch and a name for each kind of bar.
void TimelineWidget::paintLegend(QPainter &p)
{
    const int y = height() - kLegendHeight;
    p.fillRect(QRect(0, y, width(), kLegendHeight), palette().window());
    int x = 8;
    p.setPen(palette().color(QPalette::WindowText));
    for (int k = 0; k < int(BarKind::Count); ++k) {
        const BarStyle style = styleOf(BarKind(k));
        fillBar(p, QRectF(x, y + 6, 18, kLegendHeight - 12), style);
        x += 22;
        const QString label = tr(style.label);
        p.drawText(QRect(x, y, 400, kLegendHeight), Qt::AlignVCenter | Qt::AlignLeft, label);
        x += p.fontMetrics().horizontalAdvance(label) + 16;
    }
}

QStringList TimelineWidget::legend() const
{
    QStringList out;
    for (int k = 0; k < int(BarKind::Count); ++k)
        out << tr(styleOf(BarKind(k)).label);
    return out;
}

void TimelineWidget::wheelEvent(QWheelEvent *event)
{
    const double factor = event->angleDelta().y() > 0 ? 1.25 : 0.8;
    m_map.zoomAt(event->position().x(), factor);
    m_userMoved = true;
    update();
}

void TimelineWidget::mousePressEvent(QMouseEvent *event)
{
    m_dragFrom = event->pos();
    if (event->button() == Qt::RightButton) {  // right click: back to the whole transaction
        m_userMoved = false;
        fitAll();
        update();
    }
}

void TimelineWidget::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton) {
        m_map.pan(event->pos().x() - m_dragFrom.x());
        m_dragFrom = event->pos();
        m_userMoved = true;
        update();
    }
}

QString TimelineWidget::toolTipAt(QPoint pos) const
{
    const models::TimelineBar *b = barAt(pos);
    if (!b)
        return {};
    const Branch &branch = m_tx.branches[b->lane];
    const Operation *op = branch.find(b->op);
    const Attempt &a = op->attempts[b->attemptIndex];
    // attemptIndex counts the attempts kept; the operation may have had more before them.
    const int total = std::max(op->attemptCount, int(op->attempts.size()));
    const int number = total - int(op->attempts.size()) + b->attemptIndex + 1;
    QString text = tr("<b>%1 / %2</b> — attempt %3 of %4<br>%5, status code %6, %7 ms")
                       .arg(QString::fromStdString(branch.id),
                            QString::fromStdString(toString(b->op)))
                       .arg(number)
                       .arg(total)
                       .arg(QString::fromStdString(toString(a.outcome)))
                       .arg(a.statusCode)
                       .arg(a.endedMs - a.startedMs);
    if (!a.error.empty())
        text += tr("<br>error: %1").arg(QString::fromStdString(a.error).toHtmlEscaped());
    if (!a.responseExcerpt.empty())
        text += tr("<br>response: <tt>%1</tt>")
                    .arg(QString::fromStdString(a.responseExcerpt).left(300).toHtmlEscaped());
    return text;
}

bool TimelineWidget::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(e);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(e);
}

}  // namespace txdesk::ui
