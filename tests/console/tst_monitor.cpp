// The monitor against a real coordinator-lite with sim:// participants: live rows, the stuck
// view, the detail pane, and an abort through the plan + reason dialog.
#include "actiondialog.h"
#include "branchgraphview.h"
#include "mainwindow.h"
#include "monitorwidget.h"
#include "timelinewidget.h"
#include "transactiondetailwidget.h"

#include "models/transactiondetailmodel.h"
#include "models/transactiontablemodel.h"
#include "session/consolesession.h"
#include "session/tokenvault.h"
#include "support/coordinatorprocess.h"

#include <grpcpp/grpcpp.h>

#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QSettings>
#include <QTest>

#include <filesystem>

namespace pb = txdesk::v1;
using namespace txdesk;
using coord::domain::OperatorAction;

namespace {

// (No raw string here: moc does not read them.)
const char *kStuckFlow =
    "{\"flow\":{\"name\":\"stuck\",\"type\":\"SAGA\","
    "\"options\":{\"retry_interval_ms\":50,\"wait_result\":false},\"branches\":["
    "{\"id\":\"a\",\"action\":\"sim://ok\",\"compensate\":\"sim://ok\"},"
    "{\"id\":\"b\",\"after\":[\"a\"],\"action\":\"sim://slow?ongoing=1\","
    "\"compensate\":\"sim://ok\"}]}}";

const char *kOkFlow =
    "{\"flow\":{\"name\":\"ok\",\"type\":\"SAGA\",\"options\":{\"wait_result\":true},"
    "\"branches\":[{\"id\":\"a\",\"action\":\"sim://ok\",\"compensate\":\"sim://ok\"}]}}";

}  // namespace

class TstMonitor : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = testsupport::makeTempDir("txdesk-monitor");
        m_coordinator = std::make_unique<testsupport::CoordinatorProcess>(m_dir + "/c.db");
        QVERIFY(m_coordinator->start());
    }
    void cleanup()
    {
        m_coordinator.reset();
        std::filesystem::remove_all(m_dir);
    }

    void stuckTransactionIsShownAndAbortedThroughThePlanDialog()
    {
        submit(kStuckFlow, "stuck-gui");
        session::SessionConfig config;
        config.remoteAddress = QString::fromStdString(m_coordinator->address());
        session::ConsoleSession session(config);
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();

        QTRY_VERIFY_WITH_TIMEOUT(window.monitor()->transactionView()->model()->rowCount() == 1,
                                 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.monitor()->stuckView()->model()->rowCount() == 1, 15000);
        // The stuck view counts the attempts of b's action, answered "not yet" each time.
        QTRY_VERIFY(window.monitor()
                        ->stuckView()
                        ->model()
                        ->index(0, models::TransactionTableModel::Attempts)
                        .data()
                        .toInt()
                    >= 3);
        window.focusTransaction(QStringLiteral("stuck-gui"));
        ui::TransactionDetailWidget *detail = window.monitor()->detail();
        QTRY_VERIFY_WITH_TIMEOUT(detail->headerText().contains(QStringLiteral("SUBMITTED")), 10000);
        QVERIFY(detail->headerText().contains(QStringLiteral("stuck")));
        QPushButton *abort = detail->button(OperatorAction::Abort);
        QVERIFY(abort->isEnabled());
        QVERIFY(!detail->button(OperatorAction::Resume)->isEnabled());
        QCOMPARE(detail->button(OperatorAction::Resume)->toolTip(),
                 QStringLiteral("retries are not paused"));
        QVERIFY(!detail->button(OperatorAction::CancelBranch)->isEnabled());  // no branch selected
        QVERIFY(!models::timelineBars(detail->model()->transaction()).empty());
        QCOMPARE(detail->graph()->edgeCount(), 1);
        QVERIFY(detail->graph()->node("b") != nullptr);
        QVERIFY(detail->graph()->node("a")->branch().ops.front().status
                == coord::domain::OpStatus::Succeeded);
        checkRetryingOperationIsShownAsSuch(*detail);

        abort->click();
        ui::ActionDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = detail->findChild<ui::ActionDialog *>()) != nullptr,
                                 5000);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->planText().contains(QStringLiteral("then FAILED")), 10000);
        auto *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QVERIFY2(!ok->isEnabled(), "no reason yet");
        QTest::keyClicks(dialog->findChild<QLineEdit *>(), QStringLiteral("customer gave up"));
        QVERIFY(ok->isEnabled());
        ok->click();
        QTRY_VERIFY_WITH_TIMEOUT(dialog->outcomeText().contains(QStringLiteral("Done")), 10000);

        QTRY_VERIFY_WITH_TIMEOUT(detail->headerText().contains(QStringLiteral("FAILED")), 10000);
        QVERIFY(detail->headerText().contains(QStringLiteral("customer gave up")));
        QTRY_VERIFY_WITH_TIMEOUT(!abort->isEnabled(), 5000);
        QCOMPARE(abort->toolTip(), QStringLiteral("the transaction is finished"));
        QTRY_COMPARE_WITH_TIMEOUT(window.monitor()->stuckView()->model()->rowCount(), 0, 10000);

        auto admin = pb::Admin::NewStub(
            grpc::CreateChannel(m_coordinator->address(), grpc::InsecureChannelCredentials()));
        grpc::ClientContext ctx;
        pb::ListAuditReply audit;
        QVERIFY(admin->ListAudit(&ctx, {}, &audit).ok());
        QCOMPARE(audit.entries_size(), 1);
        QCOMPARE(audit.entries(0).reason(), std::string("customer gave up"));
    }

    void cancelBranchOnAFailingSagaShowsCompensationsOnTheTimeline()
    {
        submit(kStuckFlow, "cancel-gui");
        session::SessionConfig config;
        config.remoteAddress = QString::fromStdString(m_coordinator->address());
        session::ConsoleSession session(config);
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        window.focusTransaction(QStringLiteral("cancel-gui"));
        ui::TransactionDetailWidget *detail = window.monitor()->detail();
        QTRY_VERIFY_WITH_TIMEOUT(detail->headerText().contains(QStringLiteral("SUBMITTED")), 10000);
        QPushButton *cancel = detail->button(OperatorAction::CancelBranch);
        QVERIFY(!cancel->isEnabled());
        emit detail->graph()->branchClicked(QStringLiteral("b"));  // as a click on the node does
        QTRY_VERIFY(cancel->isEnabled());
        cancel->click();
        ui::ActionDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = detail->findChild<ui::ActionDialog *>()) != nullptr,
                                 5000);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->planText().contains(QStringLiteral("then FAILED")), 10000);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(), QStringLiteral("b is broken"));
        dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        QTRY_VERIFY_WITH_TIMEOUT(detail->headerText().contains(QStringLiteral("FAILED")), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                int undo = 0;
                for (const auto &bar : models::timelineBars(detail->model()->transaction()))
                    undo += bar.undo && bar.outcome == coord::domain::AttemptOutcome::Success;
                return undo == 2;  // b and a compensated, as separate bars
            }(),
            10000);
        QVERIFY(detail->headerText().contains(QStringLiteral("branch b cancelled")));
    }

    void coordinatorRestartReconnectsWithoutLosingEvents()
    {
        session::SessionConfig config;
        config.remoteAddress = QString::fromStdString(m_coordinator->address());
        session::ConsoleSession session(config);
        session.client()->setReconnectInterval(100);
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("Connected")),
                                 10000);
        submit(kOkFlow, "before-kill");
        QTRY_COMPARE_WITH_TIMEOUT(window.monitor()->transactionView()->model()->rowCount(), 1,
                                  10000);
        m_coordinator->kill();
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("Disconnected")),
                                 10000);
        QVERIFY(m_coordinator->start());
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().contains(QStringLiteral("Connected"))
                                     && !window.connectionText().contains(QStringLiteral("Dis")),
                                 15000);
        submit(kOkFlow, "after-restart");
        QTRY_COMPARE_WITH_TIMEOUT(window.monitor()->transactionView()->model()->rowCount(), 2,
                                  10000);
        const int row = session.transactions()->rowOf(QStringLiteral("after-restart"));
        QTRY_VERIFY_WITH_TIMEOUT(session.transactions()->summaryAt(row).status
                                     == coord::domain::TxStatus::Succeeded,
                                 10000);
        QTRY_COMPARE_WITH_TIMEOUT(session.client()->lastSeq(), m_coordinatorLastSeq(), 10000);
    }

    void switchingProfilesShowsTheOtherCoordinatorsTransactions()
    {
        submit(kStuckFlow, "on-first");
        testsupport::CoordinatorProcess other(m_dir + "/other.db");
        QVERIFY(other.start());
        {
            pb::SubmitRequest req;
            req.set_flow_json(kStuckFlow);
            req.set_gid("on-second");
            pb::SubmitReply reply;
            grpc::ClientContext ctx;
            QVERIFY(other.stub().Submit(&ctx, req, &reply).ok());
        }
        session::SessionConfig config;
        config.profileName = QStringLiteral("first");
        config.remoteAddress = QString::fromStdString(m_coordinator->address());
        session::ConsoleSession session(config);
        ui::MainWindow window(session, m_vault);
        window.show();
        session.start();
        auto *table = window.monitor()->transactionView();
        QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 10000);
        QCOMPARE(table->model()->index(0, 0).data().toString(), QStringLiteral("on-first"));
        config.profileName = QStringLiteral("second");
        config.remoteAddress = QString::fromStdString(other.address());
        session.reconfigure(config);
        QTRY_VERIFY_WITH_TIMEOUT(table->model()->rowCount() == 1
                                     && table->model()->index(0, 0).data().toString()
                                         == QStringLiteral("on-second"),
                                 10000);
    }

    void tokensNeverGoToTheSettingsFile()
    {
        QString stored = QStringLiteral("pending"), note;
        m_vault.store(QStringLiteral("prod"), QStringLiteral("s3cret"), [&](const QString &e) {
            note = e;
            stored.clear();
        });
        QTRY_VERIFY_WITH_TIMEOUT(stored.isEmpty(), 10000);
        QString loaded = QStringLiteral("pending");
        m_vault.load(QStringLiteral("prod"),
                     [&](const QString &t, const QString &) { loaded = t; });
        QTRY_VERIFY_WITH_TIMEOUT(loaded != QStringLiteral("pending"), 10000);
        QCOMPARE(loaded, QStringLiteral("s3cret"));  // from the keychain, or this run's memory
        QSettings settings;
        for (const QString &key : settings.allKeys())
            QVERIFY2(!settings.value(key).toString().contains(QStringLiteral("s3cret")),
                     qPrintable(key));
    }

private:
    qint64 m_coordinatorLastSeq()
    {
        pb::PingReply reply;
        grpc::ClientContext ctx;
        m_coordinator->stub().Ping(&ctx, {}, &reply);
        return reply.last_seq();
    }

    // b's action is answered ONGOING again and again: the graph, the branch table and the
    // timeline say it is being retried, with its attempt count and next retry.
    void checkRetryingOperationIsShownAsSuch(ui::TransactionDetailWidget &detail)
    {
        QTRY_VERIFY_WITH_TIMEOUT(
            detail.graph()->node("b")->note().contains(QStringLiteral("attempt")), 10000);
        const QString note = detail.graph()->node("b")->note();
        QVERIFY2(note.startsWith(QStringLiteral("action: attempt ")), qPrintable(note));
        QVERIFY2(note.contains(QStringLiteral("next in")) || note.contains(QStringLiteral("due")),
                 qPrintable(note));
        QVERIFY(detail.graph()->node("a")->note().isEmpty());
        const QModelIndex b = detail.model()->index(1, 0);
        const QModelIndex action = detail.model()->index(0, models::TransactionDetailModel::Status,
                                                         b);
        QVERIFY2(action.data().toString().contains(QStringLiteral("attempt")),
                 qPrintable(action.data().toString()));
        QVERIFY(!action.data(Qt::DecorationRole).value<QIcon>().isNull());
        // The timeline's tooltip for b's first attempt.
        ui::TimelineWidget *timeline = detail.timeline();
        timeline->resize(900, 200);
        const auto bars = models::timelineBars(detail.model()->transaction());
        const auto first = std::find_if(bars.begin(), bars.end(), [](const auto &bar) {
            return bar.lane == 1 && bar.attemptIndex == 0;
        });
        QVERIFY(first != bars.end());
        timeline->fitAll();
        const QPoint at(int(timeline->mapping().toX(first->startMs)) + 1, 22 + 26 + 13);
        const QString tip = timeline->toolTipAt(at);
        QVERIFY2(tip.contains(QStringLiteral("<b>b / action</b> — attempt 1 of ")),
                 qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("ONGOING")), qPrintable(tip));
        QVERIFY(timeline->toolTipAt(QPoint(5, 5)).isEmpty());
        QCOMPARE(timeline->legend().size(), 6);
        QVERIFY(timeline->legend().contains(QStringLiteral("compensate / cancel")));
    }

    void submit(const char *flow, const std::string &gid)
    {
        pb::SubmitRequest req;
        req.set_flow_json(flow);
        req.set_gid(gid);
        pb::SubmitReply reply;
        grpc::ClientContext ctx;
        QVERIFY(m_coordinator->stub().Submit(&ctx, req, &reply).ok());
    }

    session::TokenVault m_vault;
    std::string m_dir;
    std::unique_ptr<testsupport::CoordinatorProcess> m_coordinator;
};

QTEST_MAIN(TstMonitor)
#include "tst_monitor.moc"
