#pragma once

#include "domain/operator.h"

#include <QMap>
#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;
class QTabWidget;
class QTimer;
class QTreeView;

namespace txdesk::client {
class CoordinatorClient;
}
namespace txdesk::models {
class TransactionDetailModel;
}

namespace txdesk::ui {

class BranchGraphView;
class TimelineWidget;

// One transaction in depth: summary, branches/operations/attempts, timeline, events, and the
// operator's buttons (each opening a plan + reason dialog). Follows live events.
class TransactionDetailWidget : public QWidget
{
    Q_OBJECT

public:
    explicit TransactionDetailWidget(client::CoordinatorClient &client, QWidget *parent = nullptr);

    void showTransaction(const QString &gid);
    void onEvents(const std::vector<coord::domain::Event> &events);
    QString gid() const { return m_gid; }
    QPushButton *button(coord::domain::OperatorAction action) const
    {
        return m_buttons.value(action);
    }
    models::TransactionDetailModel *model() const { return m_model; }
    TimelineWidget *timeline() const { return m_timeline; }
    BranchGraphView *graph() const { return m_graph; }
    QTreeView *tree() const { return m_tree; }
    QString headerText() const;
    void showTab(const QString &name);  // branches, timeline, events

signals:
    void transactionLoaded(const QString &gid);

private:
    void refresh();
    void updateButtons();
    void startAction(coord::domain::OperatorAction action);

    client::CoordinatorClient &m_client;
    QString m_gid;
    QLabel *m_header;
    QTabWidget *m_tabs;
    QTreeView *m_tree;
    models::TransactionDetailModel *m_model;
    TimelineWidget *m_timeline;
    BranchGraphView *m_graph;
    QListWidget *m_events;
    QMap<coord::domain::OperatorAction, QPushButton *> m_buttons;
    QTimer *m_refreshTimer;  // coalesces bursts of events into one fetch
    bool m_fetching = false;
    bool m_fetchAgain = false;
};

}  // namespace txdesk::ui
