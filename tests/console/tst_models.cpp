// The console's models: model-tester checked, incremental, filterable; timeline maths.
#include "models/niceaxis.h"
#include "models/graphlayout.h"
#include "models/operationstate.h"
#include "models/timelinemapping.h"
#include "models/transactiondetailmodel.h"
#include "models/transactionfilterproxymodel.h"
#include "models/transactiontablemodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <random>

using namespace coord::domain;
using namespace txdesk::models;

namespace {

TxSummary summary(const std::string &gid, TxStatus status, int64_t seq = 1)
{
    TxSummary t;
    t.gid = gid;
    t.status = status;
    t.flowName = "transfer";
    t.businessKey = "order-" + gid;
    t.createdMs = 1000 + seq;
    t.lastSeq = seq;
    return t;
}

Transaction withAttempts()
{
    Transaction tx;
    tx.summary = summary("tx", TxStatus::Aborting);
    tx.summary.createdMs = 1000;
    Branch a;
    a.id = "a";
    a.ops = {{OpKind::Action,
              "sim://x",
              OpStatus::Succeeded,
              1,
              {{1000, 1010, AttemptOutcome::Success, 200, "", ""}}},
             {OpKind::Compensate,
              "sim://x",
              OpStatus::Pending,
              1,
              {{1100, 1150, AttemptOutcome::Transient, 503, "busy", ""}}}};
    Branch b;
    b.id = "b";
    b.after = {"a"};
    b.ops = {{OpKind::Action,
              "sim://y",
              OpStatus::Failed,
              2,
              {{1010, 1020, AttemptOutcome::Transient, 0, "refused", ""},
               {1030, 1090, AttemptOutcome::Failure, 409, "FAILURE", ""}}},
             {OpKind::Compensate,
              "sim://y",
              OpStatus::Succeeded,
              1,
              {{1095, 1099, AttemptOutcome::Success, 200, "", ""}}}};
    tx.branches = {a, b};
    return tx;
}

}  // namespace

class TstModels : public QObject
{
    Q_OBJECT

private slots:
    void tableInsertsAndUpdatesInPlaceNeverResetting()
    {
        TransactionTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        model.upsert({summary("a", TxStatus::Submitted, 1), summary("b", TxStatus::Submitted, 2)});
        QCOMPARE(model.rowCount(), 2);
        Event e;
        e.seq = 3;
        e.summary = summary("a", TxStatus::Succeeded, 3);
        model.applyEvents({e});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(model.rowOf("a"), TransactionTableModel::Status).data().toString(),
                 QStringLiteral("SUCCEEDED"));
        e.summary = summary("a", TxStatus::Submitted, 2);  // older news: ignored
        e.seq = 2;
        model.applyEvents({e});
        QCOMPARE(model.index(model.rowOf("a"), TransactionTableModel::Status).data().toString(),
                 QStringLiteral("SUCCEEDED"));
        QCOMPARE(resets.count(), 0);
        QCOMPARE(inserts.count(), 1);
        QVERIFY(changes.count() >= 1);
    }

    void proxyFiltersByStatusTypeStuckAndText()
    {
        TransactionTableModel model;
        TransactionFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto stuck = summary("s", TxStatus::Aborting, 3);
        stuck.stuckReason = "PARTICIPANT_UNREACHABLE";
        auto tcc = summary("t", TxStatus::Succeeded, 4);
        tcc.type = TxType::Tcc;
        model.upsert({summary("ok", TxStatus::Succeeded, 1), summary("bad", TxStatus::Failed, 2),
                      stuck, tcc});
        proxy.setStatuses({int(TxStatus::Succeeded)});
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setType(int(TxType::Tcc));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setStatuses({});
        proxy.setType(0);
        proxy.setStuckOnly(true);
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setStuckOnly(false);
        proxy.setText(QStringLiteral("ORDER-BA"));  // business key, case-insensitive
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("bad"));
    }

    void filterOverManyRowsFindsEveryMatch()
    {
        TransactionTableModel model;
        std::vector<TxSummary> rows;
        rows.reserve(200000);
        for (int i = 0; i < 200000; ++i)
            rows.push_back(summary("gid-" + std::to_string(i),
                                   i % 7 ? TxStatus::Succeeded : TxStatus::Failed, i + 1));
        model.upsert(rows);
        TransactionFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        QElapsedTimer timer;
        timer.start();
        proxy.setText(QStringLiteral("gid-1999"));
        const int matches = proxy.rowCount();  // the proxy filters when asked
        qInfo("filter over %d rows: %lld ms", model.rowCount(), timer.elapsed());
        QCOMPARE(matches, 111);  // gid-1999, gid-19990..19999, gid-199900..199999
    }

    // Inserts, updates that change sort keys and filter verdicts, filter and sort changes in
    // random order: after every step the proxy shows exactly what a full filter-and-sort of the
    // table shows, and a persistent index stays on its transaction.
    void proxyMatchesAFullSortThroughInsertsUpdatesAndFilterChanges()
    {
        TransactionTableModel model;
        TransactionFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        std::mt19937 rng(20261201);
        std::vector<TxSummary> rows;  // what the table holds, by source row
        int64_t seq = 0;
        auto randomSummary = [&](const std::string &gid) {
            TxSummary t = summary(gid, TxStatus(1 + rng() % 6), ++seq);
            t.updatedMs = rng() % 50;  // many equal keys: ties must keep the table's order
            t.stuckReason = rng() % 4 ? "" : (rng() % 2 ? "PARTICIPANT_UNREACHABLE" : "RETRYING");
            t.flowName = rng() % 2 ? "transfer" : "order";
            t.createdMs = static_cast<int64_t>(rng() % 3 ? seq : rng() % 1000);
            return t;
        };
        const int columns[] = {-1,
                               TransactionTableModel::Created,
                               TransactionTableModel::Status,
                               TransactionTableModel::Updated,
                               TransactionTableModel::Stuck,
                               TransactionTableModel::Gid};
        int column = TransactionTableModel::Created;
        Qt::SortOrder order = Qt::DescendingOrder;
        proxy.sort(column, order);
        auto expected = [&] {
            std::vector<int> ids;
            for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
                const TransactionFilter &f = proxy.filter();
                const TxSummary &t = rows[i];
                if ((f.statuses.isEmpty() || f.statuses.contains(int(t.status)))
                    && (!f.stuckOnly || !t.stuckReason.empty())
                    && (f.text.isEmpty() || t.flowName == "transfer"))
                    ids.push_back(i);
            }
            auto key = [&](int i) -> std::pair<int64_t, std::string> {
                const TxSummary &t = rows[i];
                switch (column) {
                case TransactionTableModel::Created:
                    return {t.createdMs, {}};
                case TransactionTableModel::Status:
                    return {int64_t(t.status), {}};
                case TransactionTableModel::Updated:
                    return {t.updatedMs, {}};
                case TransactionTableModel::Stuck:
                    return {0, t.stuckReason};
                case TransactionTableModel::Gid:
                    return {0, t.gid};
                }
                return {0, {}};
            };
            std::stable_sort(ids.begin(), ids.end(), [&](int a, int b) {
                return order == Qt::AscendingOrder ? key(a) < key(b) : key(b) < key(a);
            });
            std::vector<std::string> gids;
            for (int i : ids)
                gids.push_back(rows[i].gid);
            return gids;
        };
        auto shown = [&] {
            std::vector<std::string> gids;
            for (int r = 0; r < proxy.rowCount(); ++r)
                gids.push_back(proxy.index(r, 0).data().toString().toStdString());
            return gids;
        };
        QPersistentModelIndex followed;
        std::string followedGid;
        for (int step = 0; step < 400; ++step) {
            const int what = rng() % 10;
            if (what < 3 || rows.empty()) {
                std::vector<TxSummary> batch;
                for (int k = 0, n = 1 + rng() % 20; k < n; ++k)
                    batch.push_back(randomSummary("g" + std::to_string(rows.size() + k)));
                rows.insert(rows.end(), batch.begin(), batch.end());
                model.upsert(batch);
            } else if (what < 8) {
                std::vector<TxSummary> batch;
                for (int k = 0, n = 1 + rng() % 8; k < n; ++k) {
                    const int i = rng() % rows.size();
                    TxSummary t = randomSummary(rows[i].gid);
                    t.createdMs = rows[i].createdMs;  // a transaction's creation never moves
                    rows[i] = t;
                    batch.push_back(t);
                }
                model.upsert(batch);
            } else if (what == 8) {
                TransactionFilter f;
                if (rng() % 2)
                    f.statuses = {int(TxStatus::Succeeded), int(TxStatus::Aborting)};
                f.stuckOnly = rng() % 3 == 0;
                f.text = rng() % 3 == 0 ? QStringLiteral("TRANSFER") : QString();  // flow name
                proxy.setFilter(f);
            } else {
                column = columns[rng() % std::size(columns)];
                order = rng() % 2 ? Qt::AscendingOrder : Qt::DescendingOrder;
                proxy.sort(column, order);
            }
            QCOMPARE(shown(), expected());
            if (followed.isValid()) {
                QCOMPARE(followed.data().toString().toStdString(), followedGid);
            } else if (proxy.rowCount() > 0) {
                followed = proxy.index(int(rng() % proxy.rowCount()), 0);
                followedGid = followed.data().toString().toStdString();
            }
        }
    }

    // The cost the issue names: 1M rows, a filter cleared and another set, without sorting.
    void clearingAFilterOverManyRowsNeedsNoSort()
    {
        TransactionTableModel model;
        std::vector<TxSummary> rows;
        for (int i = 0; i < 200000; ++i)
            rows.push_back(summary("gid-" + std::to_string(i),
                                   i % 50 ? TxStatus::Succeeded : TxStatus::Failed, i + 1));
        model.upsert(rows);
        TransactionFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(TransactionTableModel::Created, Qt::DescendingOrder);
        proxy.setText(QStringLiteral("gid-12345"));
        QElapsedTimer timer;
        timer.start();
        proxy.setText({});
        QCOMPARE(proxy.rowCount(), 200000);
        proxy.setStatuses({int(TxStatus::Failed)});
        qInfo("cleared and set a filter over %d rows: %lld ms", model.rowCount(), timer.elapsed());
        QCOMPARE(proxy.rowCount(), 4000);
        QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("gid-199950"));
    }

    void detailTreeShowsBranchesOperationsAttemptsAndGrowsInPlace()
    {
        TransactionDetailModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        Transaction tx = withAttempts();
        model.setTransaction(tx);
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex b = model.index(1, 0);
        QCOMPARE(model.rowCount(b), 2);
        const QModelIndex action = model.index(0, 0, b);
        QCOMPARE(model.rowCount(action), 2);
        QCOMPARE(model.index(1, TransactionDetailModel::Outcome, action).data().toString(),
                 QStringLiteral("failure (409)"));
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
        tx.branches[0].ops[1].attempts.push_back(
            {1200, 1210, AttemptOutcome::Success, 200, "", ""});
        tx.branches[0].ops[1].status = OpStatus::Succeeded;
        model.setTransaction(tx);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(inserts.count(), 1);
        QCOMPARE(
            model.index(1, TransactionDetailModel::Status, model.index(0, 0)).data().toString(),
            QStringLiteral("succeeded"));
    }

    void timelineMapping_data()
    {
        QTest::addColumn<qint64>("from");
        QTest::addColumn<qint64>("to");
        QTest::addColumn<double>("width");
        QTest::addColumn<qint64>("time");
        QTest::addColumn<double>("x");
        QTest::newRow("start") << qint64(1000) << qint64(2000) << 500.0 << qint64(1000) << 100.0;
        QTest::newRow("end") << qint64(1000) << qint64(2000) << 500.0 << qint64(2000) << 600.0;
        QTest::newRow("middle") << qint64(0) << qint64(100) << 1000.0 << qint64(50) << 600.0;
        QTest::newRow("empty span") << qint64(5) << qint64(5) << 100.0 << qint64(6) << 200.0;
    }

    void timelineMapping()
    {
        QFETCH(qint64, from);
        QFETCH(qint64, to);
        QFETCH(double, width);
        QFETCH(qint64, time);
        QFETCH(double, x);
        auto m = TimelineMapping::fit(from, to, 100.0, width);
        QCOMPARE(m.toX(time), x);
        QCOMPARE(m.toMs(x), time);
    }

    void zoomKeepsThePointUnderTheCursorAndPanMoves()
    {
        auto m = TimelineMapping::fit(0, 1000, 0, 1000);
        const qint64 before = m.toMs(250);
        m.zoomAt(250, 4);
        QCOMPARE(m.toMs(250), before);
        QCOMPARE(m.msPerPixel, 0.25);
        m.pan(100);
        QCOMPARE(m.toMs(350), before);
        QCOMPARE(m.tickStepMs(90), qint64(50));
    }

    void barsAreOnePerAttemptWithUndoMarked()
    {
        auto bars = timelineBars(withAttempts());
        QCOMPARE(bars.size(), size_t(5));
        int undo = 0;
        for (const auto &b : bars)
            undo += b.undo;
        QCOMPARE(undo, 2);
        QCOMPARE(bars.front().startMs, qint64(1000));
        QCOMPARE(bars[1].lane, 1);  // b's first attempt at 1010
    }

    void dashboardAxesEndOnRoundNumbersWithRoundTicks_data()
    {
        QTest::addColumn<double>("max");
        QTest::addColumn<double>("top");
        QTest::addColumn<double>("step");
        QTest::newRow("nothing yet") << 0.0 << 1.0 << 1.0;
        QTest::newRow("one") << 1.0 << 1.0 << 0.2;
        QTest::newRow("the issue's 9.4875") << 9.4875 << 10.0 << 2.0;
        QTest::newRow("37") << 37.0 << 40.0 << 10.0;
        QTest::newRow("exactly 50") << 50.0 << 50.0 << 10.0;
        QTest::newRow("2,300 per second") << 2300.0 << 2500.0 << 500.0;
        QTest::newRow("latency 0.37 ms") << 0.37 << 0.4 << 0.1;
    }
    void dashboardAxesEndOnRoundNumbersWithRoundTicks()
    {
        QFETCH(double, max);
        QFETCH(double, top);
        QFETCH(double, step);
        const NiceAxis axis = niceAxis(max);
        QCOMPARE(axis.top, top);
        QCOMPARE(axis.step, step);
        QVERIFY(axis.top >= max);
        QVERIFY(axis.steps >= 1 && axis.steps <= 5);
        QCOMPARE(axis.step * axis.steps, axis.top);
    }

    void anOperationAnsweredNotYetIsRetryingWithItsAttemptsAndCountdown()
    {
        Operation op;
        op.status = OpStatus::Pending;
        op.attemptCount = 30;
        TxSummary tx = summary("r", TxStatus::Submitted);
        tx.nextRetryMs = 10'000 + 4'200;
        OperationState s = stateOf(op, tx, 10'000);
        QVERIFY(s.retrying);
        QCOMPARE(s.nextRetryInMs, 4'200);
        QCOMPARE(s.retryText(), QStringLiteral("attempt 30 · next in 5 s"));
        QCOMPARE(stateOf(op, tx, 20'000).retryText(), QStringLiteral("attempt 30 · due"));
        tx.retryPaused = true;
        QCOMPARE(stateOf(op, tx, 10'000).retryText(), QStringLiteral("attempt 30 · paused"));
        tx.retryPaused = false;

        Operation never;  // not run yet: not "retrying"
        QVERIFY(!stateOf(never, tx, 10'000).retrying);
        QVERIFY(stateOf(never, tx, 10'000).retryText().isEmpty());
        op.status = OpStatus::Succeeded;
        QVERIFY(!stateOf(op, tx, 10'000).retrying);
        op.status = OpStatus::Running;  // called again after earlier "not yet" answers
        QVERIFY(stateOf(op, tx, 10'000).retrying);
        tx.status = TxStatus::Failed;  // finished: nothing is retried any more
        QVERIFY(!stateOf(op, tx, 10'000).retrying);
    }

    void layeredLayoutPutsEachBranchRightOfItsDependencies()
    {
        auto at = layeredLayout({{"c", {"a", "b"}}, {"a", {}}, {"b", {"a"}}, {"d", {}}}, 200, 100);
        QCOMPARE(at["a"].x(), 0.0);
        QCOMPARE(at["b"].x(), 200.0);
        QCOMPARE(at["c"].x(), 400.0);
        QCOMPARE(at["d"].x(), 0.0);
        QVERIFY(at["a"].y() != at["d"].y());
    }
};

QTEST_GUILESS_MAIN(TstModels)
#include "tst_models.moc"
