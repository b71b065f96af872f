#include "branchgraphview.h"

#include "domain/operator.h"
#include "flow/endpoint.h"
#include "models/graphlayout.h"
#include "models/operationstate.h"
#include "models/statuscolors.h"
#include "models/themeicons.h"

#include <QGraphicsPathItem>
#include <QGraphicsScene>
#include <QMouseEvent>
#include <QPainter>
#include <QDateTime>
#include <QTimer>

namespace txdesk::ui {

using namespace coord::domain;

QPainterPath edgePath(QPointF s, QPointF e)
{
    QPainterPath path(s);
    const double dx = std::max(40.0, (e.x() - s.x()) / 2);
    path.cubicTo(s + QPointF(dx, 0), e - QPointF(dx, 0), e);
    path.addPolygon(QPolygonF({e, e + QPointF(-9, -5), e + QPointF(-9, 5), e}));
    return path;
}

QPen edgePen() { return QPen(QColor(0x90, 0xa4, 0xae), 1.7); }

PillColors PillColors::filled(const QColor &base)
{
    return {base, base.lighter(185), base.darker(130)};
}

PillColors PillColors::outlined()
{
    return {QColor(0xb0, 0xbe, 0xc5), QColor(Qt::white), QColor(0x78, 0x90, 0x9c)};
}

PillColors NodePalette::pill(const Operation &op) const
{
    if (isBeingRetried(op))
        return PillColors::filled(models::retryingColor());  // tried, answered "not yet"
    const QColor c = models::colorOf(op.status);
    return c.isValid() ? PillColors::filled(c) : PillColors::outlined();  // pending: outlined
}

const NodePalette &NodePalette::byStatus()
{
    static const NodePalette palette;
    return palette;
}

BranchNodeItem::BranchNodeItem(const Branch &branch, const NodePalette &palette)
    : m_branch(branch), m_palette(palette)
{}

void BranchNodeItem::setBranch(const Branch &branch)
{
    m_branch = branch;
    update();
}

void BranchNodeItem::setNote(const QString &note, const QColor &color)
{
    if (note == m_note && color == m_noteColor)
        return;
    m_note = note;
    m_noteColor = color;
    update();
}

QRectF BranchNodeItem::boundingRect() const { return QRectF(0, 0, kWidth, kHeight); }

namespace {

// The kind of participant a branch calls, by its first endpoint: HTTP, gRPC or sim://.
QIcon participantIcon(const Branch &branch)
{
    for (const Operation &op : branch.ops) {
        if (op.endpoint.empty())
            continue;
        switch (coord::flow::schemeOf(op.endpoint)) {
        case coord::flow::Scheme::Http:
            return models::themeIcon(QStringLiteral("network-server"));
        case coord::flow::Scheme::Grpc:
            return models::themeIcon(QStringLiteral("network-wired"));
        case coord::flow::Scheme::Sim:
            return models::themeIcon(QStringLiteral("system-run"));
        case coord::flow::Scheme::Unsupported:
            return {};
        }
    }
    return {};
}

}  // namespace

void BranchNodeItem::paint(QPainter *p, const QStyleOptionGraphicsItem *, QWidget *)
{
    p->setRenderHint(QPainter::Antialiasing);
    p->setPen(QPen(QColor(0x60, 0x7d, 0x8b), m_branch.notRollbackable ? 2.5 : 1.2,
                   m_branch.notRollbackable ? Qt::DashLine : Qt::SolidLine));
    p->setBrush(QColor(0xfa, 0xfa, 0xfa));
    p->drawRoundedRect(boundingRect().adjusted(1, 1, -1, -1), 8, 8);
    QFont bold = p->font();
    bold.setBold(true);
    p->setFont(bold);
    p->setPen(Qt::black);
    const QString title = QString::fromStdString(m_branch.name.empty() ? m_branch.id
                                                                       : m_branch.name);
    p->drawText(QRectF(10, 4, kWidth - 40, 22), Qt::AlignVCenter | Qt::AlignLeft,
                p->fontMetrics().elidedText(title, Qt::ElideRight, int(kWidth - 40)));
    const QIcon kind = participantIcon(m_branch);
    if (!kind.isNull())
        kind.paint(p, QRect(int(kWidth) - 28, 7, 16, 16));
    QFont small = p->font();
    small.setBold(false);
    small.setPointSizeF(small.pointSizeF() * 0.85);
    p->setFont(small);
    const double pillWidth = (kWidth - 20 - 4.0 * (m_branch.ops.size() - 1))
        / std::max<size_t>(m_branch.ops.size(), 1);
    double x = 10;
    for (const Operation &op : m_branch.ops) {
        const PillColors colors = m_palette.pill(op);
        QRectF pill(x, 32, pillWidth, 22);
        p->setPen(colors.border);
        p->setBrush(colors.fill);
        p->drawRoundedRect(pill, 10, 10);
        p->setPen(colors.text);
        p->drawText(
            pill, Qt::AlignCenter,
            QString::fromStdString(toString(op.op))
                + (op.attemptCount > 1 ? QStringLiteral(" ×%1").arg(op.attemptCount) : QString()));
        x += pillWidth + 4;
    }
    if (!m_note.isEmpty()) {
        p->setPen(m_noteColor);
        p->drawText(QRectF(10, 56, kWidth - 20, 20), Qt::AlignVCenter | Qt::AlignLeft,
                    p->fontMetrics().elidedText(m_note, Qt::ElideRight, int(kWidth - 20)));
    }
}

BranchGraphView::BranchGraphView(QWidget *parent)
    : QGraphicsView(parent), m_scene(new QGraphicsScene(this)), m_tick(new QTimer(this))
{
    setScene(m_scene);
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, &BranchGraphView::updateNotes);
    setRenderHint(QPainter::Antialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
}

BranchNodeItem *BranchGraphView::node(const std::string &branchId) const
{
    auto it = m_nodes.find(branchId);
    return it == m_nodes.end() ? nullptr : it->second;
}

void BranchGraphView::setTransaction(const Transaction &tx)
{
    bool sameShape = tx.summary.gid == m_gid && tx.branches.size() == m_nodes.size();
    for (const Branch &b : tx.branches)
        sameShape = sameShape && m_nodes.count(b.id);
    m_summary = tx.summary;
    if (!sameShape)
        rebuild(tx);
    else
        for (const Branch &b : tx.branches)
            m_nodes[b.id]->setBranch(b);
    updateNotes();
}

// Under each branch, the operation being retried: "Try: attempt 30 · next in 4 s".
void BranchGraphView::updateNotes()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    bool ticking = false;
    for (auto &[id, node] : m_nodes) {
        QString note;
        for (const Operation &op : node->branch().ops) {
            const models::OperationState state = models::stateOf(op, m_summary, now);
            if (state.retrying) {
                note = QStringLiteral("%1: %2").arg(QString::fromStdString(toString(op.op)),
                                                    state.retryText());
                ticking = ticking || state.nextRetryInMs > 0;
            }
        }
        node->setNote(note, models::retryingColor().darker(150));
    }
    if (ticking && !m_tick->isActive())
        m_tick->start();
    else if (!ticking)
        m_tick->stop();
}

void BranchGraphView::rebuild(const Transaction &tx)
{
    m_scene->clear();
    m_nodes.clear();
    m_edges = 0;
    m_gid = tx.summary.gid;
    std::vector<models::GraphNodeSpec> specs;
    for (const Branch &b : tx.branches)
        specs.push_back({b.id, b.after});
    const auto positions = models::layeredLayout(specs);
    for (const Branch &b : tx.branches) {
        auto *item = new BranchNodeItem(b);
        item->setPos(positions.at(b.id));
        item->setZValue(1);
        m_scene->addItem(item);
        m_nodes[b.id] = item;
    }
    for (const Branch &b : tx.branches)
        for (const std::string &a : b.after) {
            BranchNodeItem *from = node(a), *to = node(b.id);
            if (!from || !to)
                continue;
            m_scene->addPath(edgePath(from->outPort(), to->inPort()), edgePen());
            ++m_edges;
        }
    m_scene->setSceneRect(m_scene->itemsBoundingRect().adjusted(-20, -20, 20, 20));
}

void BranchGraphView::mousePressEvent(QMouseEvent *event)
{
    for (QGraphicsItem *item : items(event->pos()))
        if (auto *n = dynamic_cast<BranchNodeItem *>(item))
            emit branchClicked(QString::fromStdString(n->branch().id));
    QGraphicsView::mousePressEvent(event);
}

}  // namespace txdesk::ui
