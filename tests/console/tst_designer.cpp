// The designer as a user drives it: open a sample, edit, validate, undo, save, export, and run
// it against a real coordinator with a fault injected, landing in the live monitor.
#include "designer/designerwidget.h"
#include "designer/flowscene.h"
#include "designer/propertypanel.h"
#include "designer/retrywhatifdialog.h"
#include "designer/rundialog.h"
#include "mainwindow.h"
#include "monitorwidget.h"
#include "transactiondetailwidget.h"

#include "models/transactiondetailmodel.h"
#include "session/consolesession.h"
#include "session/tokenvault.h"
#include "support/coordinatorprocess.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QGraphicsSceneMouseEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTest>

#include <filesystem>

using namespace txdesk;
using coord::domain::OpKind;

namespace {
const QString kSample = QStringLiteral(TXDESK_SOURCE_DIR
                                       "/resources/flows/concurrent-saga.txflow.json");

bool validationMentions(ui::DesignerWidget &d, const QString &text)
{
    for (int i = 0; i < d.validation()->count(); ++i)
        if (d.validation()->item(i)->text().contains(text))
            return true;
    return false;
}
}  // namespace

class TstDesigner : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = testsupport::makeTempDir("txdesk-designer");
        m_coordinator = std::make_unique<testsupport::CoordinatorProcess>(m_dir + "/c.db");
        QVERIFY(m_coordinator->start());
        session::SessionConfig config;
        config.remoteAddress = QString::fromStdString(m_coordinator->address());
        m_session = std::make_unique<session::ConsoleSession>(config);
        m_window = std::make_unique<ui::MainWindow>(*m_session, m_vault);
        m_window->show();
        m_session->start();
        QTRY_VERIFY_WITH_TIMEOUT(
            m_session->client()->state() == client::CoordinatorClient::State::Connected, 10000);
    }
    void cleanup()
    {
        m_window.reset();
        m_session.reset();
        m_coordinator.reset();
        std::filesystem::remove_all(m_dir);
    }

    void editingValidatesLiveAndUndoRestores()
    {
        ui::DesignerWidget &d = *m_window->designer();
        QString error;
        QVERIFY2(d.openFile(kSample, &error), qPrintable(error));
        QCOMPARE(int(d.document().data().branches.size()), 4);
        QCOMPARE(d.scene()->edgeCount(), 3);
        QVERIFY(validationMentions(d, QStringLiteral("No problems")));

        d.scene()->select(QStringLiteral("car"));
        QCOMPARE(d.properties()->branchId(), QStringLiteral("car"));
        QLineEdit *action = d.properties()->endpointEdit(OpKind::Action);
        QCOMPARE(action->text(), QStringLiteral("sim://cars?latency=20ms"));
        action->setText(QStringLiteral("ftp://nowhere"));
        emit action->editingFinished();
        QVERIFY(validationMentions(d, QStringLiteral("unsupported scheme")));
        QVERIFY(d.isModified());

        d.properties()->payloadEdit()->setPlainText(QStringLiteral("{broken"));
        QCOMPARE(d.properties()->payloadStatus()->text(), QStringLiteral("not valid JSON"));

        d.document().undoStack()->undo();
        QVERIFY(!validationMentions(d, QStringLiteral("unsupported scheme")));
        QCOMPARE(d.document().branch(QStringLiteral("car"))->endpoints.at(OpKind::Action),
                 QStringLiteral("sim://cars?latency=20ms"));

        QVERIFY(d.document().removeEdge(QStringLiteral("car"), QStringLiteral("notify")));
        QCOMPARE(d.scene()->edgeCount(), 2);
        QVERIFY(validationMentions(d, QStringLiteral("cannot be rolled back but may run before")));
    }

    // The what-if starts from the flow's options and plots, for each option set, exactly the
    // attempts of the engine's retry rules (which tests/coordinator/retryschedule_test.cpp holds
    // against the engine itself).
    void retryWhatIfPlotsTheEngineScheduleForEachOptionSet()
    {
        ui::DesignerWidget &d = *m_window->designer();
        QVERIFY(d.openFile(kSample));
        QAction *whatIf = nullptr;
        for (QAction *a : d.findChildren<QAction *>())
            if (a->text() == QStringLiteral("Retry what-if…"))
                whatIf = a;
        QVERIFY(whatIf);
        QVERIFY(!whatIf->icon().isNull());
        whatIf->trigger();
        auto *dialog = d.findChild<ui::RetryWhatIfDialog *>();
        QVERIFY(dialog);
        const coord::domain::TxOptions &flow = d.document().data().options;
        QCOMPARE(dialog->input().retryIntervalMs, flow.retryIntervalMs);
        QCOMPARE(dialog->input().timeoutToFailMs, flow.timeoutToFailMs);
        QCOMPARE(dialog->input().downForMs, 10 * 60'000);
        struct Case {
            qint64 interval, timeout;
            int maxRetries;
            qint64 requestTimeout;
            int downMinutes;
            bool hangs;
            coord::domain::RetryWhatIfEnd end;
        };
        using End = coord::domain::RetryWhatIfEnd;
        for (const Case &c : {Case{1000, 0, 0, 3000, 10, false, End::Succeeds},
                              Case{1000, 0, 5, 3000, 10, false, End::RetryLimit},
                              Case{2000, 120'000, 0, 3000, 10, true, End::TimedOut},
                              Case{500, 0, 0, 1000, 0, false, End::Succeeds}}) {
            dialog->setRetryOptions(c.interval, c.timeout, c.maxRetries, c.requestTimeout);
            dialog->setDownForMinutes(c.downMinutes);
            dialog->setHangs(c.hangs);
            const auto expected = coord::domain::retryWhatIf(dialog->input());
            QCOMPARE(dialog->input().maxRetries, c.maxRetries);
            QCOMPARE(dialog->result().end, c.end);
            const QList<QPointF> points = dialog->attemptPoints();
            QCOMPARE(points.size(), qsizetype(expected.attempts.size()));
            for (int i = 0; i < points.size(); ++i)
                QCOMPARE(points[i], QPointF(expected.attempts[i].startMs, i + 1));
            QVERIFY(!dialog->summary().isEmpty());
        }
        QVERIFY(dialog->summary().startsWith(QStringLiteral("The first attempt goes through")));
        dialog->close();
    }

    void copyPasteAndEndpointChecks()
    {
        ui::DesignerWidget &d = *m_window->designer();
        QVERIFY(d.openFile(kSample));
        d.scene()->selectAll({QStringLiteral("flight"), QStringLiteral("hotel")});
        d.copySelection();
        d.pasteClipboard();
        QCOMPARE(int(d.document().data().branches.size()), 6);
        QVERIFY(d.document().branch(QStringLiteral("flight_copy")) != nullptr);
        QCOMPARE(d.scene()->selectedBranches().size(), 2);
        d.document().undoStack()->undo();
        QCOMPARE(int(d.document().data().branches.size()), 4);

        d.scene()->select(QStringLiteral("car"));
        QLineEdit *action = d.properties()->endpointEdit(OpKind::Action);
        action->setText(QStringLiteral("grpc://") + QString::fromStdString(m_coordinator->address())
                        + QStringLiteral("/txdesk.v1.Coordinator/Ping"));
        emit action->editingFinished();
        QLineEdit *compensate = d.properties()->endpointEdit(OpKind::Compensate);
        compensate->setText(QStringLiteral("http://127.0.0.1:1/api/nothing"));
        emit compensate->editingFinished();
        d.properties()->checkEndpoints();
        QTRY_VERIFY_WITH_TIMEOUT(
            !d.properties()->checkResult()->text().contains(QStringLiteral("checking")), 10000);
        const QString result = d.properties()->checkResult()->text();
        QVERIFY2(result.contains(QStringLiteral("action: gRPC accepts connections")),
                 qPrintable(result));
        QVERIFY2(result.contains(QStringLiteral("compensate: no answer")), qPrintable(result));
    }

    void saveReopenAndExport()
    {
        ui::DesignerWidget &d = *m_window->designer();
        QVERIFY(d.openFile(kSample));
        d.document().moveBranch(QStringLiteral("car"), QPointF(10, 400));
        d.document().finishMove();
        const QString path = QString::fromStdString(m_dir) + QStringLiteral("/trip.txflow.json");
        QString error;
        QVERIFY2(d.saveTo(path, &error), qPrintable(error));
        QVERIFY(!d.isModified());
        d.newFlow();
        QVERIFY(d.openFile(path));
        QCOMPARE(d.document().branch(QStringLiteral("car"))->pos, QPointF(10, 400));
        const QString go = d.exportGo();
        QVERIFY(go.contains(QStringLiteral("saga.AddBranchOrder(3, []int{0, 1, 2})")));
        QVERIFY(go.contains(QStringLiteral("dtmcli.NewSaga(dtmServer, gid)")));
        QVERIFY(!d.openFile(QString::fromStdString(m_dir) + QStringLiteral("/missing.txflow.json"),
                            &error));
        QVERIFY(error.contains(QStringLiteral("missing.txflow.json")));
        QCOMPARE(d.document().branch(QStringLiteral("car"))->pos, QPointF(10, 400));  // untouched
    }

    void runWithAFaultLandsOnTheLiveTransaction()
    {
        ui::DesignerWidget &d = *m_window->designer();
        QVERIFY(d.openFile(kSample));
        m_window->showDesigner(true);
        ui::RunDialog dialog(*m_session->client(), d.document().data(), m_window.get());
        connect(&dialog, &ui::RunDialog::submitted, &d, &ui::DesignerWidget::submitted);
        dialog.setFault(QStringLiteral("car"), 1);  // fail
        QVERIFY(dialog.withFaults()
                    .branches[2]
                    .endpoints.at(OpKind::Action)
                    .endsWith(QStringLiteral("&fail=1")));
        dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        ui::TransactionDetailWidget *detail = m_window->monitor()->detail();
        QTRY_VERIFY_WITH_TIMEOUT(!detail->gid().isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(detail->headerText().contains(QStringLiteral("FAILED")), 15000);
        QVERIFY(detail->headerText().contains(QStringLiteral("branch car action failed")));
        // The compensations ran and are on the record.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                int compensated = 0;
                for (const auto &b : detail->model()->transaction().branches)
                    if (const auto *c = b.find(OpKind::Compensate))
                        compensated += c->status == coord::domain::OpStatus::Succeeded;
                return compensated >= 3;  // flight, hotel and the failed car itself
            }(),
            10000);
        QVERIFY(m_window->monitor()->detail()->isVisible());  // we are back in the monitor
    }

    void buildATwoBranchSagaThroughTheUiSaveReopenAndRunItOnTheBundledCoordinator()
    {
        // The console with its bundled coordinator, as a user starts it.
        session::SessionConfig config;
        config.coordinatorExecutable =
            QString::fromStdString(testsupport::binDir() + "/coordinator-lite");
        config.databasePath = QString::fromStdString(m_dir) + QStringLiteral("/bundled.db");
        session::ConsoleSession bundled(config);
        ui::MainWindow window(bundled, m_vault);
        window.show();
        bundled.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            bundled.client()->state() == client::CoordinatorClient::State::Connected, 15000);
        ui::DesignerWidget &d = *window.designer();
        window.showDesigner(true);
        d.newFlow();

        auto action = [&](const QString &text) {
            for (QAction *a : d.findChildren<QAction *>())
                if (a->text() == text)
                    return a;
            return static_cast<QAction *>(nullptr);
        };
        QVERIFY(action(QStringLiteral("Add branch")));
        action(QStringLiteral("Add branch"))->trigger();
        action(QStringLiteral("Add branch"))->trigger();
        QCOMPARE(int(d.document().data().branches.size()), 2);
        d.document().moveBranch(QStringLiteral("b2"), QPointF(300, 0));  // as a drag would
        d.document().finishMove();
        for (const QString &id : {QStringLiteral("b1"), QStringLiteral("b2")}) {
            d.scene()->select(id);
            QCOMPARE(d.properties()->branchId(), id);
            for (OpKind op : {OpKind::Action, OpKind::Compensate}) {
                QLineEdit *edit = d.properties()->endpointEdit(op);
                edit->setText(QStringLiteral("sim://") + id);
                emit edit->editingFinished();
            }
        }
        // Drag from b1's port to b2: b2 runs after b1.
        auto *from = d.scene()->node(QStringLiteral("b1"));
        d.scene()->startConnection(QStringLiteral("b1"), from->outPort());
        QGraphicsSceneMouseEvent release(QEvent::GraphicsSceneMouseRelease);
        release.setScenePos(d.scene()->node(QStringLiteral("b2"))->pos() + QPointF(50, 30));
        release.setButton(Qt::LeftButton);
        QCoreApplication::sendEvent(d.scene(), &release);
        QCOMPARE(d.document().branch(QStringLiteral("b2"))->after,
                 QStringList{QStringLiteral("b1")});
        QVERIFY(validationMentions(d, QStringLiteral("No problems")));

        const QString path = QString::fromStdString(m_dir) + QStringLiteral("/built.txflow.json");
        QVERIFY(d.saveTo(path));
        d.newFlow();
        QVERIFY(d.openFile(path));
        QCOMPARE(d.scene()->edgeCount(), 1);

        ui::RunDialog run(*bundled.client(), d.document().data(), &window);
        connect(&run, &ui::RunDialog::submitted, &d, &ui::DesignerWidget::submitted);
        run.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.monitor()->detail()->headerText().contains(QStringLiteral("SUCCEEDED")), 15000);
    }

private:
    std::string m_dir;
    std::unique_ptr<testsupport::CoordinatorProcess> m_coordinator;
    session::TokenVault m_vault;
    std::unique_ptr<session::ConsoleSession> m_session;
    std::unique_ptr<ui::MainWindow> m_window;
};

QTEST_MAIN(TstDesigner)
#include "tst_designer.moc"
