#pragma once

#include "client/barrierinspector.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace txdesk::models {
class FindingTableModel;
}

namespace txdesk::ui {

// Coordinator ▸ Inspect participant…: a service's barrier table (SQLite, PostgreSQL, MySQL)
// held against the coordinator's record of each gid, findings streamed in as pages are read.
// Double-clicking a finding opens its transaction in the monitor.
class InspectParticipantDialog : public QDialog
{
    Q_OBJECT

public:
    InspectParticipantDialog(client::CoordinatorClient::Endpoint coordinator,
                             QWidget *parent = nullptr);
    ~InspectParticipantDialog() override;

    void setRequest(const client::BarrierInspector::Request &request);
    void inspect();  // what the Inspect button does
    const models::FindingTableModel *findings() const { return m_model; }
    QString progressText() const;
    QString warningText() const;
    bool running() const { return m_inspector.running(); }

signals:
    void transactionRequested(const QString &gid);
    void inspectionFinished();

private:
    void setRunning(bool running);
    void fitColumns();
    void showCounts(qint64 gids, qint64 rows, qint64 problems, qint64 inFlight);

    client::CoordinatorClient::Endpoint m_coordinator;
    client::BarrierInspector m_inspector;
    QLineEdit *m_dsn;
    QLineEdit *m_table;
    QLineEdit *m_participant;
    QPushButton *m_inspect;
    QPushButton *m_stop;
    QProgressBar *m_progress;
    QLabel *m_counts;
    QLabel *m_warning;
    QCheckBox *m_problemsOnly;
    models::FindingTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
};

}  // namespace txdesk::ui
