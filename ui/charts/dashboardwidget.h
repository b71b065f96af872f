#pragma once

#include "domain/history.h"

#include <QWidget>

class QChart;
class QComboBox;
class QLabel;
class QLineSeries;
class QTableWidget;
class QTimer;

namespace txdesk::client {
class CoordinatorClient;
}

namespace txdesk::ui {

// The dashboards: finished per second (succeeded / rolled back), latency percentiles, in-flight
// and stuck over the last 5 minutes, hour or day, and the flows and participants failing most —
// from the history the coordinator keeps (Coordinator.History), so they are full the moment they
// open, then refreshed while shown. All chart code lives in ui/charts, behind this widget.
class DashboardWidget : public QWidget
{
    Q_OBJECT

public:
    enum Window { LastFiveMinutes, LastHour, LastDay };
    enum Chart { Throughput, Latency, Load };

    explicit DashboardWidget(client::CoordinatorClient &client, QWidget *parent = nullptr);

    void setWindow(Window window);
    Window window() const { return m_window; }
    void refresh();  // asks the coordinator now (a timer does it while the dashboards show)

    const coord::domain::History &history() const { return m_history; }
    QList<QPointF> points(Chart chart, int series) const;  // x: seconds before now
    QTableWidget *flowTable() const { return m_flows; }
    QTableWidget *participantTable() const { return m_participants; }
    QString statusText() const;

signals:
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QChart *makeChart(const QString &title, const QStringList &names, QList<QLineSeries *> &out);
    void display(const coord::domain::History &history);
    void fillTables(const coord::domain::History &history);

    client::CoordinatorClient &m_client;
    Window m_window = LastFiveMinutes;
    QComboBox *m_windowBox;
    QLabel *m_status;
    QList<QLineSeries *> m_throughput, m_latency, m_load;
    QList<QChart *> m_charts;
    QTableWidget *m_flows, *m_participants;
    QTimer *m_timer;
    coord::domain::History m_history;
    int m_request = 0;  // answers to older requests (another window) are dropped
};

}  // namespace txdesk::ui
