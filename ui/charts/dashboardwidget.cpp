#include "dashboardwidget.h"

#include "models/transactiontablemodel.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QGridLayout>
#include <QLineSeries>
#include <QTimer>
#include <QValueAxis>

namespace txdesk::ui {

namespace {
constexpr int kWindowSeconds = 300;
}

DashboardWidget::DashboardWidget(const models::TransactionTableModel &transactions, QWidget *parent)
    : QWidget(parent),
      m_transactions(transactions),
      m_series(kWindowSeconds),
      m_timer(new QTimer(this))
{
    auto *grid = new QGridLayout(this);
    auto add = [&](QChart *chart, int row, int column) {
        auto *view = new QChartView(chart, this);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(180);
        grid->addWidget(view, row, column);
    };
    add(makeChart(tr("Finished per second"), {tr("succeeded"), tr("rolled back")}, m_throughput), 0,
        0);
    add(makeChart(tr("Latency (ms), creation to final"), {tr("p50"), tr("p95"), tr("p99")},
                  m_latency),
        0, 1);
    add(makeChart(tr("In flight and stuck"), {tr("in flight"), tr("stuck")}, m_load), 1, 0);
    connect(m_timer, &QTimer::timeout, this, &DashboardWidget::tick);
    m_timer->start(1000);
}

QChart *DashboardWidget::makeChart(const QString &title, const QStringList &names,
                                   QList<QLineSeries *> &out)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto *x = new QValueAxis;
    x->setRange(-kWindowSeconds, 0);
    x->setTickCount(kWindowSeconds / 60 + 1);  // a tick a minute: -300, -240 … 0 s
    x->setLabelFormat(QStringLiteral("%d s"));
    auto *y = new QValueAxis;
    y->setRange(0, 1);
    y->setLabelFormat(QStringLiteral("%g"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (const QString &name : names) {
        auto *s = new QLineSeries(chart);
        s->setName(name);
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
        out.append(s);
    }
    m_charts.append(chart);
    return chart;
}

void DashboardWidget::onEvents(const std::vector<coord::domain::Event> &events)
{
    m_series.record(events);
}

void DashboardWidget::tick()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_series.sample(now, m_transactions.unfinishedCount(), m_transactions.stuckCount());
    const auto &history = m_series.history();
    auto fill = [&](QList<QLineSeries *> &series, const auto &valueOf) {
        double top = 1;
        for (int i = 0; i < series.size(); ++i) {
            QList<QPointF> points;
            points.reserve(int(history.size()));
            for (const auto &s : history) {
                const double v = valueOf(s, i);
                top = std::max(top, v);
                points.append(QPointF(double(s.atMs - now) / 1000.0, v));
            }
            series[i]->replace(points);
        }
        auto *y = qobject_cast<QValueAxis *>(series.front()->chart()->axes(Qt::Vertical).front());
        const models::NiceAxis axis = models::niceAxis(top);
        y->setRange(0, axis.top);
        y->setTickCount(axis.steps + 1);
    };
    fill(m_throughput,
         [](const auto &s, int i) { return double(i == 0 ? s.succeeded : s.failed); });
    fill(m_latency, [](const auto &s, int i) {
        return i == 0 ? s.p50Ms : i == 1 ? s.p95Ms : s.p99Ms;
    });
    fill(m_load, [](const auto &s, int i) { return double(i == 0 ? s.inFlight : s.stuck); });
}

}  // namespace txdesk::ui
