#pragma once

#include "domain/types.h"

#include <QGraphicsItem>
#include <QGraphicsView>
#include <QColor>
#include <QPainterPath>
#include <QPen>

#include <map>

class QGraphicsScene;
class QTimer;

namespace txdesk::ui {

class BranchNodeItem;

// A read-only graph of one transaction's branches (nodes) and ordering (edges), each node
// showing its operations coloured by their live status; an operation being retried says so
// under them, with its attempt count and the countdown to the next retry (ticking each second).
class BranchGraphView : public QGraphicsView
{
    Q_OBJECT

public:
    explicit BranchGraphView(QWidget *parent = nullptr);

    void setTransaction(const coord::domain::Transaction &tx);
    BranchNodeItem *node(const std::string &branchId) const;
    int edgeCount() const { return m_edges; }

signals:
    void branchClicked(const QString &branchId);

protected:
    void mousePressEvent(QMouseEvent *event) override;

private:
    void rebuild(const coord::domain::Transaction &tx);
    void updateNotes();

    QGraphicsScene *m_scene;
    QTimer *m_tick;
    coord::domain::TxSummary m_summary;
    std::map<std::string, BranchNodeItem *> m_nodes;
    int m_edges = 0;
    std::string m_gid;
};

// The colours of an operation's pill.
struct PillColors {
    QColor border, fill, text;
    static PillColors filled(const QColor &base);  // a light fill in `base`, darker text
    static PillColors outlined();                  // white, grey outline: nothing to show yet
};

// How a node draws its operations: the monitor by live status; the designer (which has no
// status to show) by whether an endpoint is filled in.
class NodePalette
{
public:
    virtual ~NodePalette() = default;
    virtual PillColors pill(const coord::domain::Operation &op) const;  // by status, retrying amber
    static const NodePalette &byStatus();
};

// One branch: its id and name, the kind of participant it calls (an HTTP, gRPC or sim:// icon),
// a pill per operation in the palette's colours, and a one-line note under them.
class BranchNodeItem : public QGraphicsItem
{
public:
    explicit BranchNodeItem(const coord::domain::Branch &branch,
                            const NodePalette &palette = NodePalette::byStatus());
    void setBranch(const coord::domain::Branch &branch);
    const coord::domain::Branch &branch() const { return m_branch; }
    void setNote(const QString &note, const QColor &color = QColor(0x60, 0x7d, 0x8b));
    QString note() const { return m_note; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *) override;
    QPointF inPort() const { return pos() + QPointF(0, kHeight / 2); }
    QPointF outPort() const { return pos() + QPointF(kWidth, kHeight / 2); }

    static constexpr double kWidth = 180;
    static constexpr double kHeight = 80;

private:
    coord::domain::Branch m_branch;
    const NodePalette &m_palette;
    QString m_note;
    QColor m_noteColor;
};

// The one look of an ordering edge (monitor graph and designer canvas): a curve from the
// predecessor's right port to the successor's left port, with an arrow head.
QPainterPath edgePath(QPointF from, QPointF to);
QPen edgePen();

}  // namespace txdesk::ui
