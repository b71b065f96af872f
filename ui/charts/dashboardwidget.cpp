#include "dashboardwidget.h"

#include "client/coordinatorclient.h"
#include "models/niceaxis.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPointer>
#include <QSettings>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

namespace txdesk::ui {

namespace {

// Each window: how far back, one point per step, how often it is asked again, and its x axis.
struct WindowSpec {
    const char *label;
    qint64 windowMs, stepMs;
    int refreshMs;
    double unitS;  // x axis unit in seconds
    const char *unit;
    int ticks;
};

const WindowSpec &specOf(DashboardWidget::Window w)
{
    static const WindowSpec specs[] = {
        {"last 5 minutes", 300'000, 5'000, 2'000, 1, "s", 6},
        {"last hour", 3'600'000, 60'000, 10'000, 60, "min", 7},
        {"last 24 hours", 86'400'000, 300'000, 60'000, 3600, "h", 7},
    };
    return specs[w];
}

QTableWidget *figuresTable(const QStringList &headers, QWidget *parent)
{
    auto *t = new QTableWidget(0, int(headers.size()), parent);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setMinimumHeight(60);  // the window's minimum stays what the transaction views need
    t->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);  // the charts get the height
    t->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < headers.size(); ++c)
        t->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    return t;
}

void setRow(QTableWidget *t, int row, const QString &name, std::initializer_list<qint64> values)
{
    t->setItem(row, 0, new QTableWidgetItem(name));
    int c = 1;
    for (qint64 v : values) {
        auto *item = new QTableWidgetItem(QString::number(v));
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        t->setItem(row, c++, item);
    }
}

}  // namespace

DashboardWidget::DashboardWidget(client::CoordinatorClient &client, QWidget *parent)
    : QWidget(parent),
      m_client(client),
      m_windowBox(new QComboBox(this)),
      m_status(new QLabel(this)),
      m_flows(figuresTable({tr("Flow"), tr("Rolled back"), tr("Succeeded")}, this)),
      m_participants(figuresTable(
          {tr("Participant"), tr("Business failures"), tr("Errors"), tr("Calls")}, this)),
      m_timer(new QTimer(this))
{
    for (Window w : {LastFiveMinutes, LastHour, LastDay})
        m_windowBox->addItem(tr(specOf(w).label));
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Show the"), this));
    top->addWidget(m_windowBox);
    top->addWidget(m_status, 1);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *grid = new QGridLayout;
    auto add = [&](QChart *chart, int row, int column) {
        auto *view = new QChartView(chart, this);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(150);
        grid->addWidget(view, row, column);
    };
    add(makeChart(tr("Finished per second"), {tr("succeeded"), tr("rolled back")}, m_throughput), 0,
        0);
    add(makeChart(tr("Latency (ms), creation to final"), {tr("p50"), tr("p95"), tr("p99")},
                  m_latency),
        0, 1);
    add(makeChart(tr("In flight and stuck"), {tr("in flight"), tr("stuck")}, m_load), 1, 0);
    auto *tables = new QVBoxLayout;
    tables->addWidget(new QLabel(tr("<b>Flows rolling back most</b>"), this));
    tables->addWidget(m_flows, 1);
    tables->addWidget(new QLabel(tr("<b>Participants failing most</b> (calls by this "
                                    "coordinator instance)"),
                                 this));
    tables->addWidget(m_participants, 1);
    grid->addLayout(tables, 1, 1);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(grid, 1);

    connect(m_windowBox, &QComboBox::currentIndexChanged, this,
            [this](int index) { setWindow(Window(index)); });
    connect(m_timer, &QTimer::timeout, this, &DashboardWidget::refresh);
    const int saved = QSettings().value(QStringLiteral("dashboard/window"), 0).toInt();
    setWindow(Window(std::clamp(saved, 0, int(LastDay))));
}

QChart *DashboardWidget::makeChart(const QString &title, const QStringList &names,
                                   QList<QLineSeries *> &out)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto *x = new QValueAxis;
    x->setLabelFormat(QStringLiteral("%g"));
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

void DashboardWidget::setWindow(Window window)
{
    m_window = window;
    if (m_windowBox->currentIndex() != int(window)) {
        const QSignalBlocker block(m_windowBox);
        m_windowBox->setCurrentIndex(int(window));
    }
    QSettings().setValue(QStringLiteral("dashboard/window"), int(window));
    const WindowSpec &spec = specOf(window);
    for (QChart *chart : m_charts) {
        auto *x = qobject_cast<QValueAxis *>(chart->axes(Qt::Horizontal).front());
        x->setRange(-spec.windowMs / 1000.0 / spec.unitS, 0);
        x->setTickCount(spec.ticks);  // -300, -240 … 0 s; -60, -50 … 0 min; -24, -20 … 0 h
        x->setTitleText(tr("%1 before now").arg(QString::fromLatin1(spec.unit)));
    }
    m_timer->setInterval(spec.refreshMs);
    if (isVisible())  // otherwise showEvent asks
        refresh();
}

void DashboardWidget::refresh()
{
    const WindowSpec &spec = specOf(m_window);
    const int request = ++m_request;
    QPointer<DashboardWidget> self = this;
    m_client.fetchHistory({spec.windowMs, spec.stepMs, 10},
                          [self, request](const coord::domain::History &h, const absl::Status &s) {
                              if (!self || request != self->m_request)
                                  return;  // gone, or the window changed meanwhile
                              if (!s.ok()) {
                                  self->m_status->setText(
                                      tr("history not available: %1").arg(client::errorText(s)));
                                  return;
                              }
                              self->display(h);
                              emit self->refreshed();
                          });
}

void DashboardWidget::display(const coord::domain::History &history)
{
    m_history = history;
    const WindowSpec &spec = specOf(m_window);
    // Per second over each interval; the current one over the part of it that has passed, so
    // the line does not drop at its end.
    auto perSecond = [&history](const coord::domain::HistoryPoint &p) {
        const qint64 span = std::clamp<qint64>(history.nowMs - p.startMs, 1000, history.stepMs);
        return 1000.0 / double(std::max<qint64>(span, 1));
    };
    auto fill = [&](QList<QLineSeries *> &series, const auto &valueOf, double minTop = 1) {
        double top = minTop;
        for (int i = 0; i < series.size(); ++i) {
            QList<QPointF> points;
            points.reserve(int(history.points.size()));
            for (const coord::domain::HistoryPoint &p : history.points) {
                const double v = valueOf(p, i);
                if (v < 0)
                    continue;  // not sampled then
                top = std::max(top, v);
                // A point at the middle of its interval.
                const double x = (p.startMs + history.stepMs / 2.0 - history.nowMs) / 1000.0;
                points.append(QPointF(std::min(x, 0.0) / spec.unitS, v));
            }
            series[i]->replace(points);
        }
        auto *y = qobject_cast<QValueAxis *>(series.front()->chart()->axes(Qt::Vertical).front());
        const models::NiceAxis axis = models::niceAxis(top);
        y->setRange(0, axis.top);
        y->setTickCount(axis.steps + 1);
    };
    fill(m_throughput, [&perSecond](const auto &p, int i) {
        return double(i == 0 ? p.succeeded : p.failed) * perSecond(p);
    });
    fill(m_latency, [](const auto &p, int i) {
        if (p.succeeded + p.failed == 0)
            return -1.0;  // nothing finished: no latency, rather than a drop to 0
        return double(i == 0 ? p.p50Ms : i == 1 ? p.p95Ms : p.p99Ms);
    });
    fill(
        m_load, [](const auto &p, int i) { return double(i == 0 ? p.inFlight : p.stuck); },
        5);  // counts: whole ticks
    fillTables(history);
    m_status->setText(statusText());
}

void DashboardWidget::fillTables(const coord::domain::History &history)
{
    m_flows->setRowCount(int(history.flows.size()));
    for (int r = 0; r < int(history.flows.size()); ++r) {
        const auto &f = history.flows[r];
        setRow(m_flows, r, f.flow.empty() ? tr("(unnamed)") : QString::fromStdString(f.flow),
               {f.failed, f.succeeded});
    }
    m_participants->setRowCount(int(history.participants.size()));
    for (int r = 0; r < int(history.participants.size()); ++r) {
        const auto &p = history.participants[r];
        setRow(m_participants, r, QString::fromStdString(p.host),
               {p.businessFailures, p.errors, p.attempts});
    }
}

QString DashboardWidget::statusText() const
{
    if (m_history.nowMs == 0)
        return tr("asking the coordinator…");
    const QString since = QDateTime::fromMSecsSinceEpoch(m_history.recordedSinceMs)
                              .toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    const qint64 windowStart = m_history.nowMs - specOf(m_window).windowMs;
    return m_history.recordedSinceMs > windowStart
        ? tr("in flight, stuck and participants since the coordinator started (%1); finished "
             "transactions from its store")
              .arg(since)
        : tr("updated %1")
              .arg(QDateTime::fromMSecsSinceEpoch(m_history.nowMs)
                       .toString(QStringLiteral("HH:mm:ss")));
}

QList<QPointF> DashboardWidget::points(Chart chart, int series) const
{
    const QList<QLineSeries *> &s = chart == Throughput ? m_throughput
        : chart == Latency                              ? m_latency
                                                        : m_load;
    return series >= 0 && series < s.size() ? s[series]->points() : QList<QPointF>{};
}

void DashboardWidget::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_timer->start();
}

void DashboardWidget::hideEvent(QHideEvent *event)
{
    m_timer->stop();
    QWidget::hideEvent(event);
}

}  // namespace txdesk::ui
