#include "mainwindow.h"

#include "connectionsdialog.h"
#include "charts/dashboardwidget.h"
#include "coordinatorbanner.h"
#include "designer/designerwidget.h"
#include "filterbar.h"
#include "transactiondetailwidget.h"

#include "models/transactionfilterproxymodel.h"
#include "models/transactiontablemodel.h"
#include "session/bundledcoordinator.h"
#include "session/consolesession.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QLineEdit>
#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace txdesk::ui {

using client::CoordinatorClient;
using models::TransactionTableModel;

MainWindow::MainWindow(session::ConsoleSession &session, session::TokenVault &vault,
                       QWidget *parent)
    : QMainWindow(parent),
      m_session(session),
      m_vault(vault),
      m_banner(new CoordinatorBanner(this)),
      m_stack(new QStackedWidget(this)),
      m_table(new QTableView(this)),
      m_proxy(new models::TransactionFilterProxyModel(this)),
      m_stuckProxy(new models::TransactionFilterProxyModel(this)),
      m_stuckTable(new QTableView(this)),
      m_views(new QTabWidget(this)),
      m_filterBar(new FilterBar(*m_proxy, this)),
      m_detail(new TransactionDetailWidget(*session.client(), this)),
      m_dashboard(new DashboardWidget(*session.transactions(), this)),
      m_designer(new DesignerWidget(*session.client(), this)),
      m_modes(new QTabWidget(this)),
      m_connectionLabel(new QLabel(this)),
      m_addressLabel(new QLabel(this)),
      m_countLabel(new QLabel(this))
{
    setWindowTitle(tr("TxDesk"));
    resize(1280, 820);

    auto setUpTable = [](QTableView *table, QAbstractItemModel *model) {
        table->setModel(model);
        table->setSortingEnabled(true);
        table->sortByColumn(TransactionTableModel::Created, Qt::DescendingOrder);
        table->setSelectionBehavior(QAbstractItemView::SelectRows);
        table->setSelectionMode(QAbstractItemView::SingleSelection);
        table->setAlternatingRowColors(true);
        table->verticalHeader()->hide();
        table->verticalHeader()->setDefaultSectionSize(22);
        table->horizontalHeader()->setStretchLastSection(true);
        table->setColumnWidth(TransactionTableModel::Gid, 240);
    };
    m_proxy->setSourceModel(session.transactions());
    setUpTable(m_table, m_proxy);
    for (int c : {int(TransactionTableModel::NextRetry), int(TransactionTableModel::Suggested)})
        m_table->hideColumn(c);
    m_stuckProxy->setSourceModel(session.transactions());
    m_stuckProxy->setStuckOnly(true);
    setUpTable(m_stuckTable, m_stuckProxy);
    for (int c : {int(TransactionTableModel::Type), int(TransactionTableModel::BusinessKey),
                  int(TransactionTableModel::Branches), int(TransactionTableModel::Updated)})
        m_stuckTable->hideColumn(c);

    auto *empty = new QLabel(tr("<h3>No transactions yet</h3>"
                                "<p>Submit a flow with <code>txctl submit FILE</code>, or run one "
                                "from the designer.<br>New transactions appear here live.</p>"),
                             this);
    empty->setAlignment(Qt::AlignCenter);
    auto *all = new QWidget(this);
    auto *allLayout = new QVBoxLayout(all);
    allLayout->setContentsMargins(0, 0, 0, 0);
    allLayout->addWidget(m_filterBar);
    allLayout->addWidget(m_table, 1);
    m_stack->addWidget(empty);
    m_stack->addWidget(all);
    m_views->addTab(m_stack, tr("Transactions"));
    m_views->addTab(m_stuckTable, tr("Stuck"));
    m_views->addTab(m_dashboard, tr("Dashboard"));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("monitorSplitter"));
    splitter->addWidget(m_views);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    m_modes->addTab(splitter, tr("Monitor"));
    m_modes->addTab(m_designer, tr("Designer"));
    m_modes->setDocumentMode(true);
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_banner);
    layout->addWidget(m_modes, 1);
    setCentralWidget(central);
    // Run in the designer jumps to that transaction in the live monitor.
    connect(m_designer, &DesignerWidget::submitted, this, [this](const QString &gid) {
        showDesigner(false);
        m_views->setCurrentIndex(0);
        focusTransaction(gid);
    });
    connect(m_designer, &DesignerWidget::titleChanged, this, [this](const QString &title) {
        m_modes->setTabText(1, tr("Designer — %1").arg(title));
    });

    createActions();
    createStatusBar();

    auto *model = session.transactions();
    connect(model, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateEmptyState);
    connect(model, &QAbstractItemModel::modelReset, this, &MainWindow::updateEmptyState);
    connect(m_stuckProxy, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateEmptyState);
    connect(m_stuckProxy, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateEmptyState);
    connect(&session, &session::ConsoleSession::connectionChanged, this, &MainWindow::updateConnection);
    connect(&session, &session::ConsoleSession::coordinatorFailed, this,
            [this](const QString &reason, const QString &output) {
                m_banner->showFailure(reason, output, m_session.isBundled());
                statusBar()->showMessage(reason);
            });
    connect(&session, &session::ConsoleSession::coordinatorStarted, this, [this] {
        m_banner->hide();
    });
    connect(m_banner, &CoordinatorBanner::restartRequested, &session,
            &session::ConsoleSession::restartBundledCoordinator);
    connect(session.client(), &client::CoordinatorClient::eventsArrived, m_detail,
            &TransactionDetailWidget::onEvents);
    connect(session.client(), &client::CoordinatorClient::eventsArrived, m_dashboard,
            &DashboardWidget::onEvents);
    for (QTableView *table : {m_table, m_stuckTable})
        connect(table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
                [this](const QModelIndex &current) {
                    if (current.isValid())
                        m_detail->showTransaction(
                            current.data(TransactionTableModel::GidRole).toString());
                });
    // Countdowns to the next retry move every second without touching the model.
    auto *tick = new QTimer(this);
    connect(tick, &QTimer::timeout, m_stuckTable->viewport(), qOverload<>(&QWidget::update));
    tick->start(1000);
    // Initial load of a large history: say how far it got.
    connect(session.client(), &client::CoordinatorClient::snapshotStarted, this,
            [this] { statusBar()->showMessage(tr("Loading transactions…")); });
    connect(session.client(), &client::CoordinatorClient::snapshotPage, this, [this] {
        statusBar()->showMessage(tr("Loading transactions… %L1 so far")
                                     .arg(m_session.transactions()->rowCount()));
    });
    connect(session.client(), &client::CoordinatorClient::snapshotFinished, this, [this] {
        statusBar()->showMessage(tr("Loaded %L1 transactions").arg(m_session.transactions()->rowCount()), 3000);
    });
    for (int i = 0; i < 3; ++i)  // Ctrl+1..3: transactions, stuck, dashboard
        new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this,
                      [this, i] { m_views->setCurrentIndex(i); });
    new QShortcut(QKeySequence::Find, this, [this] {
        m_views->setCurrentIndex(0);
        m_filterBar->textEdit()->setFocus();
    });

    updateConnection(session.client()->state(), {});
    updateEmptyState();

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    m_table->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("mainWindow/transactionColumns/v2")).toByteArray());
    splitter->restoreState(settings.value(QStringLiteral("mainWindow/splitter")).toByteArray());
    connect(qApp, &QCoreApplication::aboutToQuit, this, [splitter] {
        QSettings().setValue(QStringLiteral("mainWindow/splitter"), splitter->saveState());
    });
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *coordinator = menuBar()->addMenu(tr("&Coordinator"));
    QAction *connections = coordinator->addAction(tr("&Connections…"), this, [this] {
        auto *dialog = new ConnectionsDialog(m_session, m_vault, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    connections->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    QAction *restart = coordinator->addAction(tr("&Restart bundled coordinator"), &m_session,
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
    QAction *copyDtm = coordinator->addAction(tr("Copy &DTM server URL (point DtmServer here)"),
                                              this, [this] {
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

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About TxDesk"), this, [this] {
        QMessageBox::about(this, tr("About TxDesk"),
                           tr("<b>TxDesk %1</b><p>Design, run and operate TCC and SAGA "
                              "distributed transactions.</p>")
                               .arg(QApplication::applicationVersion()));
    });

    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
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

QString MainWindow::addressText() const { return m_addressLabel->text(); }

QString MainWindow::connectionText() const { return m_connectionLabel->text(); }

void MainWindow::showView(int index)
{
    showDesigner(false);
    m_views->setCurrentIndex(index);
}

void MainWindow::showDesigner(bool designer) { m_modes->setCurrentIndex(designer ? 1 : 0); }

void MainWindow::showDetailTab(const QString &name)
{
    m_detail->showTab(name);
}

void MainWindow::focusTransaction(const QString &gid)
{
    m_detail->showTransaction(gid);
    auto select = [this, gid] {
        const int row = m_session.transactions()->rowOf(gid);
        if (row < 0)
            return false;
        const QModelIndex index = m_proxy->mapFromSource(m_session.transactions()->index(row, 0));
        if (index.isValid())
            m_table->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        return true;
    };
    if (select())
        return;
    // Not listed yet (just submitted): select it when it arrives.
    auto *connection = new QMetaObject::Connection;
    *connection = connect(m_session.transactions(), &QAbstractItemModel::rowsInserted, this,
                          [select, connection] {
                              if (select()) {
                                  QObject::disconnect(*connection);
                                  delete connection;
                              }
                          });
}

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

void MainWindow::updateEmptyState()
{
    const int rows = m_session.transactions()->rowCount();
    m_stack->setCurrentIndex(rows == 0 ? 0 : 1);
    const int stuck = m_stuckProxy->rowCount();
    m_countLabel->setText(tr("%n transaction(s)", nullptr, rows)
                          + (stuck ? tr(", %n stuck", nullptr, stuck) : QString()));
    m_views->setTabText(1, stuck ? tr("Stuck (%1)").arg(stuck) : tr("Stuck"));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_designer->maybeSave()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/transactionColumns/v2"),
                      m_table->horizontalHeader()->saveState());
    event->accept();
}

}  // namespace txdesk::ui
