#include "mainwindow.h"

#include "coordinatorbanner.h"

#include "models/transactiontablemodel.h"
#include "session/bundledcoordinator.h"
#include "session/consolesession.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace txdesk::ui {

using client::CoordinatorClient;
using models::TransactionTableModel;

MainWindow::MainWindow(session::ConsoleSession &session, QWidget *parent)
    : QMainWindow(parent),
      m_session(session),
      m_banner(new CoordinatorBanner(this)),
      m_stack(new QStackedWidget(this)),
      m_table(new QTableView(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_connectionLabel(new QLabel(this)),
      m_addressLabel(new QLabel(this)),
      m_countLabel(new QLabel(this))
{
    setWindowTitle(tr("TxDesk"));
    resize(1100, 680);

    m_proxy->setSourceModel(session.transactions());
    m_proxy->setSortRole(TransactionTableModel::SortRole);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(TransactionTableModel::Created, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(TransactionTableModel::Gid, 260);

    auto *empty = new QLabel(tr("<h3>No transactions yet</h3>"
                                "<p>Submit a flow with <code>txctl submit FILE</code>, or run one "
                                "from the designer.<br>New transactions appear here live.</p>"),
                             this);
    empty->setAlignment(Qt::AlignCenter);
    m_stack->addWidget(empty);
    m_stack->addWidget(m_table);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_banner);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    createActions();
    createStatusBar();

    auto *model = session.transactions();
    connect(model, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateEmptyState);
    connect(model, &QAbstractItemModel::modelReset, this, &MainWindow::updateEmptyState);
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

    updateConnection(session.client()->state(), {});
    updateEmptyState();

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    m_table->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("mainWindow/transactionColumns")).toByteArray());
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *coordinator = menuBar()->addMenu(tr("&Coordinator"));
    QAction *restart = coordinator->addAction(tr("&Restart bundled coordinator"), &m_session,
                                              &session::ConsoleSession::restartBundledCoordinator);
    restart->setEnabled(m_session.isBundled());
    restart->setToolTip(m_session.isBundled()
                            ? tr("Stop and start the coordinator-lite child process")
                            : tr("Connected to a remote coordinator; nothing to restart"));

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

QString MainWindow::connectionText() const { return m_connectionLabel->text(); }

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
    else if (m_session.isBundled())
        address = tr("bundled coordinator-lite at %1").arg(address);
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
    m_countLabel->setText(tr("%n transaction(s)", nullptr, rows));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/transactionColumns"),
                      m_table->horizontalHeader()->saveState());
    event->accept();
}

}  // namespace txdesk::ui
