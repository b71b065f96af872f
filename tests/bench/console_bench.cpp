// Console figures at scale (issues 5 and 16): memory for 1M transactions, filter time over them,
// how long the GUI thread is blocked applying 2,000 events/s, the highest event rate it keeps up
// with when following a busy coordinator, and painting a 20k-attempt timeline and a 100-branch
// flow. Prints one JSON line. Runs offscreen.
#include "designer/flowscene.h"
#include "models/dashboardseries.h"
#include "models/transactionfilterproxymodel.h"
#include "models/transactiontablemodel.h"
#include "timelinewidget.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QHeaderView>
#include <QTableView>

#include <algorithm>
#include <cstdio>

using namespace coord::domain;
using namespace txdesk;

namespace {

long rssKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    f.open(QIODevice::ReadOnly);
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').front().toLong();
    return 0;
}

TxSummary row(int i)
{
    TxSummary t;
    t.gid = "gid-" + std::to_string(1000000000 + i) + "-abcdef";
    t.type = i % 3 ? TxType::Saga : TxType::Tcc;
    t.status = i % 50 == 0 ? TxStatus::Failed : TxStatus::Succeeded;
    t.flowName = i % 2 ? "bank-transfer" : "order-stock-payment";
    t.businessKey = "order-" + std::to_string(i);
    t.createdMs = t.updatedMs = t.finishedMs = 1'700'000'000'000 + i;
    t.branchCount = 2;
    t.lastSeq = i + 1;
    return t;
}

}  // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int rows = argc > 1 ? std::atoi(argv[1]) : 1'000'000;

    const long before = rssKiB();
    models::TransactionTableModel model;
    models::TransactionFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QTableView view;
    view.setModel(&proxy);
    view.setSortingEnabled(true);
    view.sortByColumn(models::TransactionTableModel::Created, Qt::DescendingOrder);
    view.resize(1200, 700);
    view.verticalHeader()->hide();  // as the monitor has it
    view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view.verticalHeader()->setDefaultSectionSize(22);
    if (!qEnvironmentVariableIsSet("TXDESK_BENCH_NO_VIEW"))
        view.show();
    QElapsedTimer load;
    load.start();
    for (int start = 0; start < rows; start += 5000) {
        std::vector<TxSummary> page;
        for (int i = start; i < std::min(rows, start + 5000); ++i)
            page.push_back(row(i));
        model.upsert(page);
    }
    const qint64 loadMs = load.elapsed();
    const long after = rssKiB();

    QElapsedTimer t;
    t.start();
    proxy.setText(QStringLiteral("order-12345"));
    const int textMatches = proxy.rowCount();
    const qint64 textFilterMs = t.elapsed();
    t.restart();
    proxy.setText({});
    proxy.setStatuses({int(TxStatus::Failed)});
    const int failed = proxy.rowCount();
    const qint64 statusFilterMs = t.elapsed();
    t.restart();
    proxy.setStatuses({});
    const qint64 clearFilterMs = t.elapsed();
    t.restart();
    view.sortByColumn(models::TransactionTableModel::Updated, Qt::AscendingOrder);
    view.sortByColumn(models::TransactionTableModel::Created, Qt::DescendingOrder);
    const qint64 sortMs = t.elapsed() / 2;

    // 2,000 events/s: a batch every 16 ms (as the client delivers them), half updates, half new.
    qint64 worstMs = 0, totalMs = 0;
    int next = rows;
    const int batches = 5 * 60;  // five seconds
    for (int b = 0; b < batches; ++b) {
        std::vector<Event> events;
        for (int k = 0; k < 33; ++k) {
            Event e;
            e.seq = rows + b * 33 + k + 1;
            e.summary = k % 2 ? row(next++) : row((b * 7919 + k * 104729) % rows);
            e.summary.status = TxStatus::Aborting;
            e.summary.lastSeq = e.seq;
            events.push_back(e);
        }
        t.restart();
        model.applyEvents(events);
        QCoreApplication::processEvents();
        const qint64 ms = t.elapsed();
        worstMs = std::max(worstMs, ms);
        totalMs += ms;
    }

    // Following a busy coordinator: sagas of four events each (created, two attempts, finished),
    // 32 under way at a time, handed over in the batches the client delivers every 16 ms at
    // 20,000 events/s, through what the GUI thread runs for them: the table, both of the
    // monitor's proxies, the table view and the dashboard's series.
    models::TransactionFilterProxyModel stuckProxy;
    stuckProxy.setSourceModel(&model);
    stuckProxy.setStuckOnly(true);
    models::DashboardSeries series;
    const int followEvents = 200'000, perBatch = 20'000 / 60;
    std::vector<Event> stream;
    stream.reserve(followEvents);
    int64_t seq = rows + batches * 33;
    for (int saga = 0; static_cast<int>(stream.size()) < followEvents; saga += 32) {
        for (int phase = 0; phase < 4; ++phase)
            for (int k = 0; k < 32; ++k) {
                Event e;
                e.seq = ++seq;
                e.summary = row(next + saga + k);
                e.kind = phase == 0 ? EventKind::TxCreated
                    : phase == 3    ? EventKind::TxStatusChanged
                                    : EventKind::AttemptFinished;
                e.summary.status = phase == 3 ? TxStatus::Succeeded : TxStatus::Submitted;
                e.summary.lastSeq = e.seq;
                e.atMs = e.summary.updatedMs = e.summary.createdMs + phase * 3;
                stream.push_back(std::move(e));
            }
    }
    qint64 followWorstUs = 0;
    QElapsedTimer follow;
    follow.start();
    for (size_t at = 0; at < stream.size(); at += perBatch) {
        const qint64 began = follow.nsecsElapsed();
        std::vector<Event> batch(stream.begin() + at,
                                 stream.begin() + std::min(stream.size(), at + perBatch));
        model.applyEvents(batch);
        series.record(batch);
        QCoreApplication::processEvents();
        followWorstUs = std::max(followWorstUs, (follow.nsecsElapsed() - began) / 1000);
    }
    const double followS = follow.nsecsElapsed() / 1e9;
    const double usPerEvent = followS * 1e6 / stream.size();

    // A 20k-attempt timeline, painted.
    Transaction tx;
    tx.summary.gid = "long";
    tx.summary.createdMs = 0;
    for (int b = 0; b < 4; ++b) {
        Branch br;
        br.id = "b" + std::to_string(b);
        Operation op{OpKind::Action, "sim://x", OpStatus::Pending, 5000, {}};
        for (int a = 0; a < 5000; ++a)
            op.attempts.push_back(
                {a * 100 + b, a * 100 + b + 40, AttemptOutcome::Ongoing, 425, "ONGOING", ""});
        br.ops.push_back(op);
        tx.branches.push_back(br);
    }
    ui::TimelineWidget timeline;
    timeline.resize(1200, 300);
    t.restart();
    timeline.setTransaction(tx);
    QImage image(1200, 300, QImage::Format_ARGB32);
    timeline.render(&image);
    const qint64 timelineMs = t.elapsed();

    // A 100-branch flow on the designer canvas.
    document::FlowDocument doc;
    document::FlowData flow;
    for (int i = 0; i < 100; ++i) {
        document::BranchData b;
        b.id = QStringLiteral("b%1").arg(i);
        if (i > 0)
            b.after = {QStringLiteral("b%1").arg((i - 1) / 2)};
        b.endpoints[OpKind::Action] = b.endpoints[OpKind::Compensate] = QStringLiteral("sim://x");
        flow.branches.push_back(b);
    }
    t.restart();
    doc.replaceAll(flow, QStringLiteral("load"));
    ui::FlowScene scene(doc);
    doc.autoLayout();
    const auto issues = doc.validate();
    QImage canvas(1600, 1200, QImage::Format_ARGB32);
    QPainter painter(&canvas);
    scene.render(&painter);
    painter.end();
    const qint64 flowMs = t.elapsed();

    std::printf("{\"bench\":\"console\",\"rows\":%d,\"load_ms\":%lld,\"rss_mib\":%.1f,"
                "\"text_filter_ms\":%lld,\"text_matches\":%d,\"status_filter_ms\":%lld,"
                "\"failed_rows\":%d,\"clear_filter_ms\":%lld,\"sort_ms\":%lld,"
                "\"events_per_s\":%d,\"apply_worst_ms\":%lld,\"apply_mean_ms\":%.2f,"
                "\"follow_us_per_event\":%.2f,\"max_events_per_s\":%.0f,"
                "\"follow_worst_batch_ms\":%.1f,\"timeline_20k_paint_ms\":%lld,"
                "\"flow_100_build_validate_paint_ms\":%lld,\"flow_issues\":%zu}\n",
                rows, loadMs, (after - before) / 1024.0, textFilterMs, textMatches, statusFilterMs,
                failed, clearFilterMs, sortMs, 33 * 60, worstMs, double(totalMs) / batches,
                usPerEvent, 1e6 / usPerEvent, followWorstUs / 1000.0, timelineMs, flowMs,
                issues.size());
    return 0;
}
