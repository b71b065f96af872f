#include "mainwindow.h"

#include "connectionsdialog.h"
#include "coordinatorbanner.h"
#include "designer/designerwidget.h"
#include "designer/explorefailuresdialog.h"
#include "inspectparticipantdialog.h"
#include "monitorwidget.h"

#include "models/themeicons.h"
#include "models/transactiontablemodel.h"
#include "session/bundledcoordinator.h"
#include "session/consolesession.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <memory>
#include <QCloseEvent>
#include <QGuiApplication>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QShortcut>
#include <QTabWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

namespace txdesk::ui {

using client::CoordinatorClient;

namespace {

// What "Run a demo transaction" submits (bundled with the console); the first one is also what
// "Open a sample flow" opens.
const QStringList kDemoFlows = {QStringLiteral(":/flows/bank-transfer-saga.txflow.json"),
                                QStringLiteral(":/flows/failing-saga.txflow.json"),
                                QStringLiteral(":/flows/order-stock-payment-tcc.txflow.json")};

}  // namespace

MainWindow::MainWindow(session::ConsoleSession &session, session::TokenVault &vault,
                       QWidget *parent)
    : QMainWindow(parent),
      m_session(session),
      m_vault(vault),
      m_banner(new CoordinatorBanner(this)),
      m_monitor(new MonitorWidget(*session.client(), *session.transactions(), this)),
      m_designer(new DesignerWidget(*session.client(), this)),
      m_modes(new QTabWidget(this)),
      m_connectionLabel(new QLabel(this)),
      m_addressLabel(new QLabel(this)),
      m_countLabel(new QLabel(this))
{
    setWindowTitle(tr("TxDesk"));
    setWindowIcon(models::appIcon());

    m_modes->addTab(m_monitor, models::themeIcon(QStringLiteral("view-list-details")),
                    tr("Monitor"));
    m_modes->addTab(m_designer, models::themeIcon(QStringLiteral("distribute-graph-directed")),
                    tr("Designer"));
    m_modes->setDocumentMode(true);
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_banner);
    layout->addWidget(m_modes, 1);
    setCentralWidget(central);
    // Run in the designer, and a path of its explorer, open that transaction in the monitor.
    for (auto signal : {&DesignerWidget::submitted, &DesignerWidget::transactionRequested})
        connect(m_designer, signal, this, [this](const QString &gid) {
            showView(MonitorWidget::Transactions);
            focusTransaction(gid);
        });
    connect(m_monitor, &MonitorWidget::demoRequested, this, &MainWindow::runDemo);
    connect(m_monitor, &MonitorWidget::sampleFlowRequested, this, [this] {
        if (m_designer->maybeSave() && m_designer->openFile(kDemoFlows[0]))
            showDesigner(true);
    });
    connect(m_designer, &DesignerWidget::titleChanged, this, [this](const QString &title) {
        m_modes->setTabText(1, tr("Designer — %1").arg(title));
    });

    createActions();
    createStatusBar();
    createTrayIcon();
    connectSession();
    for (int i = 0; i < 3; ++i)  // Ctrl+1..3: transactions, stuck, dashboard
        new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this,
                      [this, i] { showView(i); });
    new QShortcut(QKeySequence::Find, this, [this] {
        showDesigner(false);
        m_monitor->focusFilter();
    });

    updateConnection(session.client()->state(), {});
    showCounts(session.transactions()->rowCount(), m_monitor->stuckCount());

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray()))
        fitToScreen();
    m_monitor->restoreState(settings);
    m_designer->restoreState(settings);
    showDesigner(settings.value(QStringLiteral("mainWindow/designer")).toBool());
    // Also when the console quits without a close (SIGTERM, --quit-after).
    connect(qApp, &QCoreApplication::aboutToQuit, this, &MainWindow::saveLayout);
}

// A new user's first timeline, two clicks away: the bundled samples, run on simulated
// participants (a saga, one that rolls back, a TCC).
void MainWindow::runDemo()
{
    for (const QString &path : kDemoFlows) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        m_session.client()->submit(
            file.readAll(), {}, QStringLiteral("demo"),
            [this, path](const coord::domain::Transaction &, const absl::Status &status) {
                if (!status.ok())
                    statusBar()->showMessage(
                        tr("Demo %1: %2")
                            .arg(QFileInfo(path).fileName(), client::errorText(status)),
                        10000);
            });
    }
}

// The first start: most of the screen the window is on, centred (not a fixed size).
void MainWindow::fitToScreen()
{
    const QScreen *screen = this->screen() ? this->screen() : QGuiApplication::primaryScreen();
    if (!screen)
        return;
    const QRect available = screen->availableGeometry();
    const QSize size(std::max(1024, available.width() * 85 / 100),
                     std::max(700, available.height() * 85 / 100));
    resize(size.boundedTo(available.size()));
    move(available.center() - rect().center());
}

void MainWindow::saveLayout()
{
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/designer"), m_modes->currentIndex() == 1);
    m_monitor->saveState(settings);
    m_designer->saveState(settings);
}

// The session's news: connection state, the bundled coordinator's failures, loading progress.
void MainWindow::connectSession()
{
    connect(m_monitor, &MonitorWidget::countsChanged, this, &MainWindow::showCounts);
    connect(&m_session, &session::ConsoleSession::connectionChanged, this,
            &MainWindow::updateConnection);
    connect(&m_session, &session::ConsoleSession::coordinatorFailed, this,
            [this](const QString &reason, const QString &output) {
                m_banner->showFailure(reason, output, m_session.isBundled());
                statusBar()->showMessage(reason);
            });
    connect(&m_session, &session::ConsoleSession::coordinatorStarted, this,
            [this] { m_banner->hide(); });
    connect(m_banner, &CoordinatorBanner::restartRequested, &m_session,
            &session::ConsoleSession::restartBundledCoordinator);
    // Initial load of a large history: say how far it got.
    CoordinatorClient *client = m_session.client();
    connect(client, &CoordinatorClient::snapshotStarted, this,
            [this] { statusBar()->showMessage(tr("Loading transactions…")); });
    connect(client, &CoordinatorClient::snapshotPage, this, [this] {
        statusBar()->showMessage(
            tr("Loading transactions… %L1 so far").arg(m_session.transactions()->rowCount()));
    });
    connect(client, &CoordinatorClient::snapshotFinished, this, [this] {
        statusBar()->showMessage(
            tr("Loaded %L1 transactions").arg(m_session.transactions()->rowCount()), 3000);
    });
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(models::themeIcon(QStringLiteral("application-exit")),
                                    tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *coordinator = menuBar()->addMenu(tr("&Coordinator"));
    QAction *connections = coordinator->addAction(
        models::themeIcon(QStringLiteral("network-connect")), tr("&Connections…"), this, [this] {
            auto *dialog = new ConnectionsDialog(m_session, m_vault, this);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->open();
        });
    connections->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    QAction *restart = coordinator->addAction(models::themeIcon(QStringLiteral("system-reboot")),
                                              tr("&Restart bundled coordinator"), &m_session,
                                              &session::ConsoleSession::restartBundledCoordinator);
    auto updateRestart = [this, restart] {
        restart->setEnabled(m_session.isBundled());
        restart->setToolTip(m_session.isBundled()
                                ? tr("Stop and start the coordinator-lite child process")
                                : tr("Connected to a remote coordinator; nothing to restart"));
    };
    updateRestart();
    connect(&m_session, &session::ConsoleSession::reconfigured, this, updateRestart);
    // go-zero / DTM services start transactions with dtm's SDK: point their DtmServer here.
    QAction *copyDtm = coordinator->addAction(
        models::themeIcon(QStringLiteral("edit-copy")),
        tr("Copy &DTM server URL (point DtmServer here)"), this, [this] {
            const QString url = m_session.bundled()->dtmServerUrl();
            QGuiApplication::clipboard()->setText(url);
            statusBar()->showMessage(tr("Copied %1: set DtmServer to it in a go-zero service's "
                                        "config")
                                         .arg(url),
                                     8000);
        });
    auto updateCopyDtm = [this, copyDtm] {
        copyDtm->setEnabled(m_session.isBundled()
                            && !m_session.bundled()->dtmServerUrl().isEmpty());
    };
    updateCopyDtm();
    connect(&m_session, &session::ConsoleSession::coordinatorStarted, this, updateCopyDtm);
    connect(&m_session, &session::ConsoleSession::reconfigured, this, updateCopyDtm);

    coordinator->addSeparator();
    QAction *inspect = coordinator->addAction(models::themeIcon(QStringLiteral("database-index")),
                                              tr("&Inspect participant…"), this,
                                              &MainWindow::openInspector);
    inspect->setToolTip(tr("Hold a service's barrier table against what the coordinator decided"));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(
        models::themeIcon(QStringLiteral("help-about")), tr("&About TxDesk"), this, [this] {
            QMessageBox::about(this, tr("About TxDesk"),
                               tr("<b>TxDesk %1</b><p>Design, run and operate TCC and SAGA "
                                  "distributed transactions.</p>")
                                   .arg(QApplication::applicationVersion()));
        });

    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setIconSize(QSize(22, 22));
    toolbar->addAction(connections);
    toolbar->addAction(restart);
    view->addAction(toolbar->toggleViewAction());
}

void MainWindow::createStatusBar()
{
    m_addressLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addPermanentWidget(m_countLabel);
    statusBar()->addPermanentWidget(m_addressLabel);
    statusBar()->addPermanentWidget(m_connectionLabel);
}

InspectParticipantDialog *MainWindow::inspector() const { return m_inspector; }

void MainWindow::inspectWhenConnected(const QString &dsn)
{
    whenConnected([this, dsn] {
        openInspector();
        m_inspector->setRequest({dsn, {}, {}});
        m_inspector->inspect();
    });
}

void MainWindow::exploreWhenConnected()
{
    whenConnected([this] {
        showDesigner(true);
        if (ExploreFailuresDialog *dialog = m_designer->exploreFailures())
            dialog->explore();
    });
}

void MainWindow::whenConnected(std::function<void()> run)
{
    if (m_session.client()->state() == CoordinatorClient::State::Connected)
        return run();
    auto once = std::make_shared<QMetaObject::Connection>();
    *once = connect(m_session.client(), &CoordinatorClient::stateChanged, this,
                    [once, run](CoordinatorClient::State state) {
                        if (state != CoordinatorClient::State::Connected)
                            return;
                        QObject::disconnect(*once);
                        run();
                    });
}

void MainWindow::openInspector()
{
    if (m_inspector) {
        m_inspector->raise();
        m_inspector->activateWindow();
        return;
    }
    m_inspector = new InspectParticipantDialog(m_session.client()->endpoint(), this);
    m_inspector->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_inspector, &InspectParticipantDialog::transactionRequested, this,
            [this](const QString &gid) {
                showView(0);
                focusTransaction(gid);
                raise();
                activateWindow();
            });
    m_inspector->show();
}

QString MainWindow::addressText() const { return m_addressLabel->text(); }

QString MainWindow::connectionText() const { return m_connectionLabel->text(); }

void MainWindow::showView(int index)
{
    showDesigner(false);
    m_monitor->showView(static_cast<MonitorWidget::View>(index));
}

void MainWindow::showDesigner(bool designer) { m_modes->setCurrentIndex(designer ? 1 : 0); }

void MainWindow::showDetailTab(const QString &name) { m_monitor->showDetailTab(name); }

void MainWindow::focusTransaction(const QString &gid) { m_monitor->focusTransaction(gid); }

void MainWindow::updateConnection(CoordinatorClient::State state, const QString &detail)
{
    QString text, color;
    switch (state) {
    case CoordinatorClient::State::Connected:
        text = tr("Connected");
        color = QStringLiteral("#2e7d32");
        break;
    case CoordinatorClient::State::Connecting:
        text = tr("Connecting…");
        color = QStringLiteral("#1565c0");
        break;
    case CoordinatorClient::State::Disconnected:
        text = tr("Disconnected");
        color = QStringLiteral("#c62828");
        break;
    }
    m_connectionLabel->setText(QStringLiteral("● ") + text);
    m_connectionLabel->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;").arg(color));
    m_connectionLabel->setToolTip(detail);
    QString address = m_session.address();
    if (address.isEmpty())
        address = m_session.isBundled() ? tr("bundled coordinator (starting)") : tr("no address");
    else if (m_session.isBundled() && m_session.bundled()->isReused())
        address = tr("bundled coordinator-lite at %1 (already running, pid %2: shared with "
                     "other consoles)")
                      .arg(address)
                      .arg(m_session.bundled()->processId());
    else if (m_session.isBundled())
        address = tr("bundled coordinator-lite at %1").arg(address);
    if (m_session.isBundled() && !m_session.bundled()->dtmServerUrl().isEmpty())
        address += tr(" · DtmServer %1").arg(m_session.bundled()->dtmServerUrl());
    else if (!m_session.config().profileName.isEmpty() && m_session.config().profileName != address)
        address = tr("%1 (%2)").arg(m_session.config().profileName, address);
    m_addressLabel->setText(address);
    if (state == CoordinatorClient::State::Disconnected && !detail.isEmpty())
        statusBar()->showMessage(tr("Coordinator unreachable: %1").arg(detail));
    else if (state == CoordinatorClient::State::Connected)
        statusBar()->clearMessage();
}

void MainWindow::showCounts(int transactions, int stuck)
{
    const QString counts = tr("%n transaction(s)", nullptr, transactions)
        + (stuck ? tr(", %n stuck", nullptr, stuck) : QString());
    m_countLabel->setText(counts);
    if (!m_tray)
        return;
    m_tray->setToolTip(tr("TxDesk — %1").arg(counts));
    m_tray->setIcon(stuck ? models::themeIcon(QStringLiteral("emblem-warning"))
                          : models::appIcon());
    if (stuck > m_stuckShown && m_stuckShown >= 0)  // not for what was stuck at start
        m_tray->showMessage(tr("TxDesk"), tr("%n transaction(s) stuck", nullptr, stuck),
                            QSystemTrayIcon::Warning);
    m_stuckShown = stuck;
}

// Where the desktop has a tray: the app icon (a warning sign while any transaction is stuck),
// the counts as its tooltip, a message when more get stuck; a click brings the window up.
void MainWindow::createTrayIcon()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(models::appIcon(), this);
    auto *menu = new QMenu(this);
    menu->addAction(tr("Show TxDesk"), this, [this] {
        showNormal();
        activateWindow();
    });
    menu->addAction(models::themeIcon(QStringLiteral("application-exit")), tr("Quit"), this,
                    &QWidget::close);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason r) {
        if (r == QSystemTrayIcon::Trigger) {
            showNormal();
            activateWindow();
        }
    });
    m_tray->show();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_designer->maybeSave()) {
        event->ignore();
        return;
    }
    saveLayout();
    event->accept();
}

}  // namespace txdesk::ui
