#pragma once

#include "models/dashboardseries.h"

#include <QWidget>

class QChart;
class QLineSeries;
class QTimer;

namespace txdesk::models {
class TransactionTableModel;
}

namespace txdesk::ui {

// Throughput, success/rollback, latency percentiles, in-flight and stuck over time (Qt Charts;
// all chart code lives in ui/charts, behind this widget).
class DashboardWidget : public QWidget
{
    Q_OBJECT

public:
    DashboardWidget(const models::TransactionTableModel &transactions, QWidget *parent = nullptr);

    void onEvents(const std::vector<coord::domain::Event> &events);
    void tick();  // samples now (a timer does it every second)
    const models::DashboardSeries &series() const { return m_series; }

private:
    QChart *makeChart(const QString &title, const QStringList &names, QList<QLineSeries *> &out);

    const models::TransactionTableModel &m_transactions;
    models::DashboardSeries m_series;
    QList<QLineSeries *> m_throughput, m_latency, m_load;
    QList<QChart *> m_charts;
    QTimer *m_timer;
};

}  // namespace txdesk::ui
