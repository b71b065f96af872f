// The console window with its bundled coordinator: a real child process, a real window
// (offscreen), and what the user sees when the child goes away.
#include "coordinatorbanner.h"
#include "inspectparticipantdialog.h"
#include "designer/designerwidget.h"
#include "designer/explorefailuresdialog.h"
#include "mainwindow.h"
#include "monitorwidget.h"
#include "transactiondetailwidget.h"
#include "charts/dashboardwidget.h"
#include "models/explorematrixmodel.h"
#include "models/findingtablemodel.h"
#include "models/themeicons.h"
#include "models/transactiontablemodel.h"
#include "session/bundledcoordinator.h"
#include "session/consolesession.h"
#include "session/tokenvault.h"
#include "storage/sqlite/sqlite.h"
#include "storage/sqlite/sqlitestore.h"
#include "support/childprocess.h"

#include <QAction>
#include <QCheckBox>
#include <QDateTime>
#include <QDir>
#include <QHeaderView>
#include <QFile>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QTableView>
#include <QTableWidget>
#include <QToolBar>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <csignal>
#include <filesystem>

using namespace txdesk;

class TstMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void init() { m_dir = QString::fromStdString(testsupport::makeTempDir("txdesk-window")); }
    void cleanup() { std::filesystem::remove_all(m_dir.toStdString()); }

    void startsTheBundledCoordinatorAndShowsItsTransactions()
    {
        const QString db = m_dir + QStringLiteral("/coordinator.db");
        seed(db, "seeded-gid");
        QSettings().remove(QStringLiteral("mainWindow"));  // a first start
        session::ConsoleSession session(bundledConfig(db));
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();

        QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("Connected")),
                                 15000);
        QVERIFY(session.bundled()->isRunning());
        QVERIFY(session.address().startsWith(QStringLiteral("127.0.0.1:")));
        QTRY_COMPARE_WITH_TIMEOUT(window.monitor()->transactionView()->model()->rowCount(), 1,
                                  10000);
        QCOMPARE(window.monitor()->transactionView()->model()->index(0, 0).data().toString(),
                 QStringLiteral("seeded-gid"));
        QVERIFY(!window.banner()->isVisible());

        // First start: sized to the screen, columns as wide as what they show.
        const QRect screen = window.screen()->availableGeometry();
        QVERIFY(window.width() >= std::min(1024, screen.width()));
        QTableView *table = window.monitor()->transactionView();
        for (int column : {int(models::TransactionTableModel::Gid),
                           int(models::TransactionTableModel::Created)}) {
            const QString text = table->model()->index(0, column).data().toString();
            QVERIFY2(table->columnWidth(column) >= table->fontMetrics().horizontalAdvance(text),
                     qPrintable(text));
        }

        // Icons: the window's, every toolbar action's, the status column's.
        QVERIFY(!window.windowIcon().isNull());
        for (QToolBar *bar : window.findChildren<QToolBar *>())
            for (QAction *action : bar->actions())
                QVERIFY2(action->isSeparator() || !action->icon().isNull()
                             || bar->widgetForAction(action) != nullptr,
                         qPrintable(action->text()));
        QVERIFY(!table->model()
                     ->index(0, models::TransactionTableModel::Status)
                     .data(Qt::DecorationRole)
                     .value<QIcon>()
                     .isNull());

        // The detail pane belongs to the transaction views, not to the dashboard.
        QVERIFY(window.monitor()->detail()->isVisible());
        window.monitor()->showView(ui::MonitorWidget::Dashboard);
        QVERIFY(!window.monitor()->detail()->isVisible());
        window.monitor()->showView(ui::MonitorWidget::Stuck);
        QVERIFY(window.monitor()->detail()->isVisible());
    }

    // An operator opening the console during an incident sees the last hour at once: the
    // coordinator reads it back from its store, whatever happened before the console started.
    void dashboardsShowTheStoredHourTheMomentTheyOpen()
    {
        const QString db = m_dir + QStringLiteral("/history.db");
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        {
            auto store = coord::storage::SqliteStore::open(db.toStdString());
            QVERIFY(store.ok());
            std::vector<coord::storage::TxWrite> batch;
            for (int i = 0; i < 50; ++i) {  // one every 70 s, every fifth rolled back
                coord::storage::TxWrite w;
                w.gid = "hist-" + std::to_string(i);
                w.insert = coord::domain::Transaction{};
                coord::domain::TxSummary &t = w.insert->summary;
                t.gid = w.gid;
                t.flowName = i % 5 == 0 ? "refund" : "checkout";
                t.status = i % 5 == 0 ? coord::domain::TxStatus::Failed
                                      : coord::domain::TxStatus::Succeeded;
                t.finishedMs = now - 60'000 - i * 70'000;
                t.createdMs = t.updatedMs = t.finishedMs - 40;
                batch.push_back(std::move(w));
            }
            for (const auto &r : (*store)->commit(batch))
                QVERIFY(r.status.ok());
        }
        QSettings().remove(QStringLiteral("mainWindow"));
        QSettings().setValue(QStringLiteral("dashboard/window"),
                             int(ui::DashboardWidget::LastHour));
        session::ConsoleSession session(bundledConfig(db));
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        window.monitor()->showView(ui::MonitorWidget::Dashboard);
        ui::DashboardWidget *dashboard = window.monitor()->dashboard();
        QCOMPARE(dashboard->window(), ui::DashboardWidget::LastHour);  // remembered
        auto finished = [&] {  // per second, times each point's interval
            double total = 0;
            for (int series : {0, 1})
                for (const QPointF &p : dashboard->points(ui::DashboardWidget::Throughput, series))
                    total += p.y() * double(dashboard->history().stepMs) / 1000.0;
            return qRound(total);
        };
        // Those within the hour: finished 1 min to 58 min 10 s ago.
        QTRY_COMPARE_WITH_TIMEOUT(finished(), 50, 15000);
        QCOMPARE(dashboard->flowTable()->item(0, 0)->text(), QStringLiteral("refund"));
        QCOMPARE(dashboard->flowTable()->item(0, 1)->text(), QStringLiteral("10"));
        QCOMPARE(dashboard->flowTable()->item(1, 2)->text(), QStringLiteral("40"));
        for (const QPointF &p : dashboard->points(ui::DashboardWidget::Latency, 0))
            QCOMPARE(p.y(), 50.0);  // 40 ms, read as its bin (20-50 ms)
        const auto throughput = dashboard->points(ui::DashboardWidget::Throughput, 0);
        QVERIFY(!throughput.isEmpty());
        QVERIFY(throughput.front().x() >= -60 && throughput.back().x() <= 0);  // minutes
        dashboard->setWindow(ui::DashboardWidget::LastFiveMinutes);
        QTRY_VERIFY_WITH_TIMEOUT(dashboard->history().stepMs == 5'000, 10000);
        QCOMPARE(finished(), 4);  // 1 min, 2 min 10 s, 3 min 20 s and 4 min 30 s ago
    }

    void everyIconTheConsoleNamesIsBundled()
    {
        QFile list(QStringLiteral(TXDESK_SOURCE_DIR "/resources/icons/theme-icons.txt"));
        QVERIFY(list.open(QIODevice::ReadOnly | QIODevice::Text));
        int names = 0;
        while (!list.atEnd()) {
            const QString line = QString::fromUtf8(list.readLine()).trimmed();
            if (line.isEmpty() || line.startsWith(u'#'))
                continue;
            const QString name = line.section(u'/', 2);
            const QIcon icon = models::themeIcon(name);
            QVERIFY2(!icon.isNull(), qPrintable(name));
            QVERIFY2(!icon.pixmap(22, 22).isNull(), qPrintable(name + " does not draw"));
            ++names;
        }
        QVERIFY(names > 30);
        QVERIFY(!models::appIcon().pixmap(64, 64).isNull());
        QVERIFY(!models::iconOf(coord::domain::TxStatus::Failed, false).isNull());
        QVERIFY(models::iconOf(coord::domain::TxStatus::Submitted, true).cacheKey()
                == models::iconOf(coord::domain::TxStatus::Aborting, true).cacheKey());  // stuck
    }

    // The empty monitor leads somewhere: a demo that shows up in the table (one of them rolled
    // back), and a sample flow in the designer.
    void theFirstRunPageRunsADemoAndOpensASample()
    {
        session::ConsoleSession session(bundledConfig(m_dir + QStringLiteral("/first.db")));
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("Connected")),
                                 15000);
        auto *demo = window.findChild<QPushButton *>(QStringLiteral("runDemo"));
        QVERIFY(demo);
        QTRY_VERIFY(demo->isVisible());
        demo->click();
        QAbstractItemModel *table = window.monitor()->transactionView()->model();
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 3, 10000);
        auto statuses = [table] {
            QStringList out;
            for (int r = 0; r < table->rowCount(); ++r)
                out << table->index(r, models::TransactionTableModel::Status).data().toString();
            out.sort();
            return out;
        };
        QTRY_COMPARE_WITH_TIMEOUT(
            statuses(),
            (QStringList{QStringLiteral("FAILED"), QStringLiteral("SUCCEEDED"),
                         QStringLiteral("SUCCEEDED")}),
            15000);

        window.monitor()->showView(ui::MonitorWidget::Transactions);
        session.transactions()->clear();  // as on a fresh coordinator: the page again
        auto *sample = window.findChild<QPushButton *>(QStringLiteral("openSample"));
        QTRY_VERIFY(sample->isVisible());
        sample->click();
        QTRY_VERIFY(window.findChild<ui::DesignerWidget *>()->isVisible());
    }

    // The last tab, the mode, the column widths and the window's geometry come back after a
    // restart (no coordinator needed: nothing is started).
    void layoutIsRememberedAcrossARestart()
    {
        QSettings().remove(QStringLiteral("mainWindow"));
        session::SessionConfig config;
        config.remoteAddress = QStringLiteral("127.0.0.1:1");
        const int flow = models::TransactionTableModel::Flow;
        {
            session::ConsoleSession session(config);
            ui::MainWindow window(session, m_vault);
            window.show();
            window.monitor()->showView(ui::MonitorWidget::Stuck);
            window.monitor()->transactionView()->setColumnWidth(flow, 333);
            window.monitor()->transactionView()->horizontalHeader()->moveSection(flow, 0);
            window.resize(1100, 777);
            QVERIFY(window.designer()->openFile(QStringLiteral(
                TXDESK_SOURCE_DIR "/resources/flows/bank-transfer-saga.txflow.json")));
            QVERIFY(window.designer()->saveTo(m_dir + QStringLiteral("/mine.txflow.json")));
            QVERIFY(window.close());
        }
        session::ConsoleSession session(config);
        ui::MainWindow window(session, m_vault);
        window.show();
        QCOMPARE(window.monitor()->stuckView()->isVisible(), true);
        QCOMPARE(window.monitor()->transactionView()->columnWidth(flow), 333);
        QCOMPARE(window.monitor()->transactionView()->horizontalHeader()->visualIndex(flow), 0);
        QCOMPARE(window.size(), QSize(1100, 777));
        QCOMPARE(window.designer()->filePath(), m_dir + QStringLiteral("/mine.txflow.json"));
        QCOMPARE(window.designer()->document().data().name, QStringLiteral("bank-transfer"));
    }

    // A go-zero service's transaction, through DTM's HTTP API of the bundled coordinator,
    // arrives live in the table with its origin.
    void aTransactionStartedThroughTheDtmApiShowsLiveWithItsOrigin()
    {
        session::ConsoleSession session(bundledConfig(m_dir + QStringLiteral("/dtm.db")));
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("Connected")),
                                 15000);
        const QString dtmServer = session.bundled()->dtmServerUrl();
        QVERIFY2(dtmServer.startsWith(QStringLiteral("http://127.0.0.1:")), qPrintable(dtmServer));
        QVERIFY(window.addressText().contains(dtmServer));

        QNetworkAccessManager net;
        QNetworkRequest request(QUrl(dtmServer + QStringLiteral("/submit")));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        const QByteArray body =
            "{\"gid\":\"from-go-zero\",\"trans_type\":\"saga\",\"concurrent\":false,"
            "\"steps\":[{\"action\":\"sim://ok\",\"compensate\":\"sim://ok\"}],"
            "\"payloads\":[\"{}\"],\"protocol\":\"\"}";
        QNetworkReply *reply = net.post(request, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(10000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();

        auto *model = session.transactions();
        auto rowOf = [model] {
            for (int r = 0; r < model->rowCount(); ++r)
                if (model->index(r, models::TransactionTableModel::Gid).data().toString()
                    == QStringLiteral("from-go-zero"))
                    return r;
            return -1;
        };
        QTRY_VERIFY_WITH_TIMEOUT(rowOf() >= 0, 10000);
        QCOMPARE(model->index(rowOf(), models::TransactionTableModel::Origin).data().toString(),
                 QStringLiteral("DTM HTTP"));
        QTRY_COMPARE_WITH_TIMEOUT(
            model->index(rowOf(), models::TransactionTableModel::Status).data().toString(),
            QStringLiteral("SUCCEEDED"), 10000);
    }

    // Designer ▸ Explore failures… on a sample flow: every failure point run on the bundled
    // coordinator (which allows fault injection) against its sim:// participants, an invariant
    // read before and after each path, the matrix filled as paths end; a row opens its run in
    // the monitor, the report is saved and the checks stay with the flow's layout.
    void theFailureExplorerRunsASampleFlowAndFillsTheMatrix()
    {
        const std::string ledger = (m_dir + QStringLiteral("/ledger.db")).toStdString();
        {
            auto db = coord::storage::sqlite::Connection::open(ledger, false);
            QVERIFY(db.ok());
            QVERIFY(
                (*db)->exec("CREATE TABLE total (v INTEGER); INSERT INTO total VALUES (7)").ok());
        }
        session::ConsoleSession session(bundledConfig(m_dir + QStringLiteral("/coordinator.db")));
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("Connected")),
                                 15000);
        QVERIFY(
            window.designer()->openFile(QStringLiteral(":/flows/bank-transfer-saga.txflow.json")));
        ui::ExploreFailuresDialog *dialog = window.designer()->exploreFailures();
        QVERIFY(dialog && dialog->isVisible());
        QCOMPARE(dialog->pointCount(), 14);  // 2 branches × (action 4 + compensate 3)

        dialog->setChecksText(QStringLiteral("not a check"));
        dialog->explore();
        QVERIFY(!dialog->running());
        QVERIFY2(dialog->errorText().contains(QStringLiteral("invariant line 1")),
                 qPrintable(dialog->errorText()));

        dialog->setChecksText(QString::fromStdString(ledger)
                              + QStringLiteral(" | SELECT v FROM total"));
        QSignalSpy finished(dialog, &ui::ExploreFailuresDialog::explorationFinished);
        dialog->explore();
        QVERIFY(dialog->running());
        QVERIFY(finished.wait(120000));
        QCOMPARE(dialog->errorText(), QString());
        const models::ExploreMatrixModel *matrix = dialog->matrix();
        QCOMPARE(matrix->rowCount(), 14);
        QCOMPARE(matrix->redCount(), 0);
        QCOMPARE(dialog->summaryText(), QStringLiteral("14 of 14 path(s), 0 red"));
        int failedRow = -1;
        for (int row = 0; row < matrix->rowCount(); ++row)
            if (matrix->index(row, models::ExploreMatrixModel::Point).data().toString()
                == QStringLiteral("in/action: business-failure"))
                failedRow = row;
        QVERIFY(failedRow >= 0);
        auto cell = [&](int column) { return matrix->index(failedRow, column).data().toString(); };
        QCOMPARE(cell(models::ExploreMatrixModel::Verdict), QStringLiteral("green"));
        QCOMPARE(cell(models::ExploreMatrixModel::Status), QStringLiteral("FAILED"));
        QCOMPARE(cell(models::ExploreMatrixModel::Undone),
                 QStringLiteral("in/compensate → out/compensate"));
        QCOMPARE(cell(models::ExploreMatrixModel::Invariants), QStringLiteral("7 → 7"));

        auto *view = dialog->findChild<QTableView *>(QStringLiteral("matrix"));
        QVERIFY(view);
        emit view->clicked(view->model()->index(failedRow, 0));
        QTRY_COMPARE_WITH_TIMEOUT(window.monitor()->detail()->gid(),
                                  cell(models::ExploreMatrixModel::Gid), 5000);

        QVERIFY(dialog->findChild<QPushButton *>(QStringLiteral("saveReport"))->isEnabled());
        const QString report = m_dir + QStringLiteral("/report.md");
        QVERIFY(dialog->saveReport(report));
        QFile saved(report);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QVERIFY(saved.readAll().contains("| green | in/action: business-failure |"));
        // The checks are the flow's own, in its layout section.
        const auto &checks = window.designer()->document().data().explore;
        QCOMPARE(checks.invariants.size(), size_t{1});
        QCOMPARE(checks.invariants[0].sql, QStringLiteral("SELECT v FROM total"));
        QVERIFY(window.designer()->isModified());
        QVERIFY(window.designer()->saveTo(m_dir + QStringLiteral("/saga.txflow.json")));
        QFile file(m_dir + QStringLiteral("/saga.txflow.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().contains("\"@explore\""));
        dialog->close();
    }

    // Coordinator ▸ Inspect participant…: a service's SQLite barrier table against the bundled
    // coordinator's records, findings streamed into the dialog, a finding opens its
    // transaction in the monitor.
    void theParticipantInspectorFindsAnOrphanShowsInFlightRowsAndOpensTheTransaction()
    {
        const QString db = m_dir + QStringLiteral("/coordinator.db");
        seed(db, "paid", coord::domain::TxStatus::Succeeded, true);
        seed(db, "paying", coord::domain::TxStatus::Submitted, true);
        const std::string bank = (m_dir + QStringLiteral("/bank.db")).toStdString();
        {
            auto barrier = coord::storage::sqlite::Connection::open(bank, false);
            QVERIFY(barrier.ok());
            QVERIFY((*barrier)
                        ->exec("CREATE TABLE barrier (trans_type TEXT NOT NULL, gid TEXT NOT NULL, "
                               "branch_id TEXT NOT NULL, op TEXT NOT NULL, barrier_id TEXT NOT "
                               "NULL DEFAULT '01', reason TEXT NOT NULL, PRIMARY KEY (gid, "
                               "branch_id, op, barrier_id));"
                               "INSERT INTO barrier (trans_type, gid, branch_id, op, reason) "
                               "VALUES ('saga', 'paid', 'out', 'action', 'action'), "
                               "('saga', 'paying', 'out', 'action', 'action'), "
                               "('tcc', 'from-elsewhere', '01', 'try', 'try')")
                        .ok());
        }
        session::ConsoleSession session(bundledConfig(db));
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("Connected")),
                                 15000);

        window.openInspector();
        ui::InspectParticipantDialog *dialog = window.inspector();
        QVERIFY(dialog && dialog->isVisible());
        dialog->setRequest({QString::fromStdString(bank), {}, {}});
        QSignalSpy finished(dialog, &ui::InspectParticipantDialog::inspectionFinished);
        dialog->inspect();
        QVERIFY(finished.wait(15000));
        QCOMPARE(dialog->warningText(), QString());  // the primary key starts with gid
        QCOMPARE(dialog->progressText(),
                 QStringLiteral("3 gids · 3 rows read · 1 problems · 1 in flight"));
        const models::FindingTableModel *findings = dialog->findings();
        QCOMPARE(findings->rowCount(), 2);
        QCOMPARE(findings->at(0).gid, std::string("from-elsewhere"));
        QCOMPARE(findings->at(0).kind, coord::barrier::FindingKind::UnknownGid);
        QCOMPARE(findings->at(1).gid, std::string("paying"));
        QCOMPARE(findings->at(1).kind, coord::barrier::FindingKind::InFlight);

        auto *view = dialog->findChild<QTableView *>();
        QVERIFY(view);
        dialog->findChild<QCheckBox *>()->setChecked(true);  // problems only
        QCOMPARE(view->model()->rowCount(), 1);
        dialog->findChild<QCheckBox *>()->setChecked(false);
        QCOMPARE(view->model()->rowCount(), 2);
        QSignalSpy requested(dialog, &ui::InspectParticipantDialog::transactionRequested);
        emit view->doubleClicked(view->model()->index(1, 0));
        QCOMPARE(requested.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(window.monitor()->detail()->gid(), QStringLiteral("paying"),
                                  5000);

        // A database that is not there is said, not created.
        dialog->setRequest({m_dir + QStringLiteral("/bnak.db"), {}, {}});
        dialog->inspect();
        QVERIFY(finished.wait(15000));
        QVERIFY2(dialog->warningText().contains(QStringLiteral("no SQLite file")),
                 qPrintable(dialog->warningText()));
        QVERIFY(!QFile::exists(m_dir + QStringLiteral("/bnak.db")));
    }

    void killedCoordinatorIsReportedAndTheConsoleLivesOn()
    {
        session::ConsoleSession session(bundledConfig(m_dir + QStringLiteral("/c.db")));
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("Connected")),
                                 15000);

        ::kill(static_cast<pid_t>(session.bundled()->processId()), SIGKILL);

        QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isVisible(), 10000);
        QVERIFY2(window.banner()->reason().contains(QStringLiteral("killed")),
                 qPrintable(window.banner()->reason()));
        QVERIFY2(window.banner()->output().contains(QStringLiteral("listening on")),
                 qPrintable(window.banner()->output()));
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("Disconnected")),
                                 10000);
        QVERIFY(window.isVisible());

        emit window.banner()->restartRequested();
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("Connected"))
                                     && !window.connectionText().contains(QStringLiteral("Dis")),
                                 15000);
        QVERIFY(!window.banner()->isVisible());
    }

    void coordinatorThatCannotStartShowsItsLastOutput()
    {
        // The database path is a folder: the coordinator starts, cannot open it, and exits.
        const QString db = m_dir + QStringLiteral("/a-folder");
        QVERIFY(QDir().mkpath(db));
        session::ConsoleSession session(bundledConfig(db));
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isVisible(), 10000);
        QVERIFY2(window.banner()->reason().contains(QStringLiteral("exited with code")),
                 qPrintable(window.banner()->reason()));
        QVERIFY2(window.banner()->output().contains(QStringLiteral("cannot open database")),
                 qPrintable(window.banner()->output()));
        QVERIFY(window.isVisible());
    }

    void unusableDatabaseFolderIsReported()
    {
        session::ConsoleSession session(bundledConfig(QStringLiteral("/proc/txdesk/none/c.db")));
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isVisible(), 10000);
        QVERIFY2(window.banner()->reason().contains(QStringLiteral("/proc/txdesk/none")),
                 qPrintable(window.banner()->reason()));
        QVERIFY(window.isVisible());
    }

    void missingCoordinatorExecutableIsReported()
    {
        session::SessionConfig config = bundledConfig(m_dir + QStringLiteral("/c.db"));
        config.coordinatorExecutable = m_dir + QStringLiteral("/no-such-coordinator");
        session::ConsoleSession session(config);
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isVisible(), 5000);
        QVERIFY(window.banner()->reason().contains(QStringLiteral("not found")));
    }

private:
    session::TokenVault m_vault;
    session::SessionConfig bundledConfig(const QString &db) const
    {
        session::SessionConfig config;
        config.coordinatorExecutable =
            QString::fromStdString(testsupport::binDir() + "/coordinator-lite");
        config.databasePath = db;
        return config;
    }

    // A stored transaction without branches, created at 1 ms, in the given state; with
    // `branches`, a two-step saga (out, in) over a bank service.
    static void seed(const QString &db, const std::string &gid,
                     coord::domain::TxStatus status = coord::domain::TxStatus::Succeeded,
                     bool branches = false)
    {
        auto store = coord::storage::SqliteStore::open(db.toStdString());
        QVERIFY(store.ok());
        coord::storage::TxWrite w;
        w.gid = gid;
        w.insert = coord::domain::Transaction{};
        w.insert->summary.gid = gid;
        w.insert->summary.createdMs = 1;
        w.insert->summary.status = status;
        for (const char *id : {"out", "in"}) {
            coord::domain::Branch b;
            b.id = id;
            for (auto [op, path] : {std::pair{coord::domain::OpKind::Action, "Trans"},
                                    std::pair{coord::domain::OpKind::Compensate, "Undo"}})
                b.ops.push_back({op,
                                 std::string("http://bank:8081/") + path,
                                 coord::domain::OpStatus::Pending,
                                 0,
                                 {}});
            if (branches)
                w.insert->branches.push_back(b);
        }
        std::vector<coord::storage::TxWrite> batch{w};
        QVERIFY((*store)->commit(batch)[0].status.ok());
    }

    QString m_dir;
};

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
