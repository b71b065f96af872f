#include "monitorwidget.h"

#include "charts/dashboardwidget.h"
#include "filterbar.h"
#include "transactiondetailwidget.h"

#include "client/coordinatorclient.h"
#include "models/themeicons.h"
#include "models/transactionfilterproxymodel.h"
#include "models/transactiontablemodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace txdesk::ui {

using models::TransactionTableModel;

namespace {

const QString kColumnsKey = QStringLiteral("mainWindow/transactionColumns/v2");
const QString kSplitterKey = QStringLiteral("mainWindow/splitter");
const QString kStuckColumnsKey = QStringLiteral("mainWindow/stuckColumns");
const QString kViewKey = QStringLiteral("mainWindow/monitorView");  // the last tab

void setUpTable(QTableView *table, QAbstractItemModel *model)
{
    table->setModel(model);
    table->setSortingEnabled(true);
    table->sortByColumn(TransactionTableModel::Created, Qt::DescendingOrder);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(22);
    table->horizontalHeader()->setStretchLastSection(true);
}

}  // namespace

MonitorWidget::MonitorWidget(client::CoordinatorClient &client, TransactionTableModel &transactions,
                             QWidget *parent)
    : QWidget(parent),
      m_transactions(transactions),
      m_stack(new QStackedWidget(this)),
      m_table(new QTableView(this)),
      m_proxy(new models::TransactionFilterProxyModel(this)),
      m_stuckProxy(new models::TransactionFilterProxyModel(this)),
      m_stuckTable(new QTableView(this)),
      m_views(new QTabWidget(this)),
      m_filterBar(new FilterBar(*m_proxy, this)),
      m_detail(new TransactionDetailWidget(client, this)),
      m_dashboard(new DashboardWidget(client, this)),
      m_splitter(new QSplitter(Qt::Vertical, this))
{
    setUpTables();
    m_views->addTab(transactionsPage(), models::themeIcon(QStringLiteral("view-list-details")),
                    tr("Transactions"));
    m_views->addTab(m_stuckTable, models::themeIcon(QStringLiteral("emblem-warning")), tr("Stuck"));
    m_views->addTab(m_dashboard, models::themeIcon(QStringLiteral("office-chart-line")),
                    tr("Dashboard"));
    // The detail pane and its action buttons belong to the transaction views.
    connect(m_views, &QTabWidget::currentChanged, this,
            [this](int index) { m_detail->setVisible(m_views->widget(index) != m_dashboard); });

    m_splitter->setObjectName(QStringLiteral("monitorSplitter"));
    m_splitter->addWidget(m_views);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);

    connect(&transactions, &QAbstractItemModel::rowsInserted, this,
            &MonitorWidget::updateEmptyState);
    connect(&transactions, &QAbstractItemModel::modelReset, this, &MonitorWidget::updateEmptyState);
    connect(m_stuckProxy, &QAbstractItemModel::rowsInserted, this,
            &MonitorWidget::updateEmptyState);
    connect(m_stuckProxy, &QAbstractItemModel::rowsRemoved, this, &MonitorWidget::updateEmptyState);
    connect(&client, &client::CoordinatorClient::eventsArrived, m_detail,
            &TransactionDetailWidget::onEvents);
    for (QTableView *table : {m_table, m_stuckTable})
        connect(table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
                [this](const QModelIndex &current) {
                    if (current.isValid())
                        m_detail->showTransaction(
                            current.data(TransactionTableModel::GidRole).toString());
                });
    for (QAbstractItemModel *proxy : {m_proxy, m_stuckProxy}) {
        connect(proxy, &QAbstractItemModel::rowsInserted, this, [this] { fitColumnsOnce(); });
        connect(proxy, &QAbstractItemModel::layoutChanged, this, [this] { fitColumnsOnce(); });
    }
    // Countdowns to the next retry move every second without touching the model.
    auto *tick = new QTimer(this);
    connect(tick, &QTimer::timeout, m_stuckTable->viewport(), qOverload<>(&QWidget::update));
    tick->start(1000);
    updateEmptyState();
}

void MonitorWidget::setUpTables()
{
    m_proxy->setSourceModel(&m_transactions);
    setUpTable(m_table, m_proxy);
    for (int c : {int(TransactionTableModel::NextRetry), int(TransactionTableModel::Attempts),
                  int(TransactionTableModel::Suggested)})
        m_table->hideColumn(c);
    m_stuckProxy->setSourceModel(&m_transactions);
    m_stuckProxy->setStuckOnly(true);
    setUpTable(m_stuckTable, m_stuckProxy);
    for (int c : {int(TransactionTableModel::Type), int(TransactionTableModel::BusinessKey),
                  int(TransactionTableModel::Branches), int(TransactionTableModel::Updated)})
        m_stuckTable->hideColumn(c);
}

// What the transactions view shows while there is nothing to list: where transactions come
// from, and a demo and a sample two clicks away.
QWidget *MonitorWidget::firstRunPage()
{
    auto *text = new QLabel(tr("<h3>No transactions yet</h3>"
                               "<p>Submit a flow with <code>txctl submit FILE</code>, or run one "
                               "from the designer.<br>New transactions appear here live.</p>"),
                            this);
    text->setAlignment(Qt::AlignCenter);
    auto *demo = new QPushButton(models::themeIcon(QStringLiteral("media-playback-start")),
                                 tr("Run a demo transaction"), this);
    demo->setObjectName(QStringLiteral("runDemo"));
    demo->setToolTip(tr("Runs three simulated (sim://) transactions: a saga, a saga that rolls "
                        "back, and a TCC"));
    auto *sample = new QPushButton(models::themeIcon(QStringLiteral("document-open")),
                                   tr("Open a sample flow"), this);
    sample->setObjectName(QStringLiteral("openSample"));
    connect(demo, &QPushButton::clicked, this, &MonitorWidget::demoRequested);
    connect(sample, &QPushButton::clicked, this, &MonitorWidget::sampleFlowRequested);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(demo);
    buttons->addWidget(sample);
    buttons->addStretch();
    auto *empty = new QWidget(this);
    auto *emptyLayout = new QVBoxLayout(empty);
    emptyLayout->addStretch();
    emptyLayout->addWidget(text);
    emptyLayout->addLayout(buttons);
    emptyLayout->addStretch();
    return empty;
}

// The filter bar over the table, or the first-run page while there is nothing to list.
QWidget *MonitorWidget::transactionsPage()
{
    auto *all = new QWidget(this);
    auto *allLayout = new QVBoxLayout(all);
    allLayout->setContentsMargins(0, 0, 0, 0);
    allLayout->addWidget(m_filterBar);
    allLayout->addWidget(m_table, 1);
    m_stack->addWidget(firstRunPage());
    m_stack->addWidget(all);
    return m_stack;
}

void MonitorWidget::focusTransaction(const QString &gid)
{
    m_detail->showTransaction(gid);
    auto select = [this, gid] {
        const int row = m_transactions.rowOf(gid);
        if (row < 0)
            return false;
        const QModelIndex index = m_proxy->mapFromSource(m_transactions.index(row, 0));
        if (index.isValid())
            m_table->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        return true;
    };
    if (select())
        return;
    // Not listed yet (just submitted): select it when it arrives.
    auto *connection = new QMetaObject::Connection;
    *connection = connect(&m_transactions, &QAbstractItemModel::rowsInserted, this,
                          [select, connection] {
                              if (select()) {
                                  QObject::disconnect(*connection);
                                  delete connection;
                              }
                          });
}

void MonitorWidget::showView(View view) { m_views->setCurrentIndex(view); }

void MonitorWidget::showDetailTab(const QString &name) { m_detail->showTab(name); }

void MonitorWidget::focusFilter()
{
    showView(Transactions);
    m_filterBar->textEdit()->setFocus();
}

void MonitorWidget::saveState(QSettings &settings) const
{
    settings.setValue(kColumnsKey, m_table->horizontalHeader()->saveState());
    settings.setValue(kSplitterKey, m_splitter->saveState());
    settings.setValue(kViewKey, m_views->currentIndex());
    settings.setValue(kStuckColumnsKey, m_stuckTable->horizontalHeader()->saveState());
}

void MonitorWidget::restoreState(const QSettings &settings)
{
    // No widths saved yet: the columns take their content's width once the first rows are in.
    m_fitColumns = !settings.contains(kColumnsKey);
    m_fitStuckColumns = !settings.contains(kStuckColumnsKey);
    m_table->horizontalHeader()->restoreState(settings.value(kColumnsKey).toByteArray());
    m_splitter->restoreState(settings.value(kSplitterKey).toByteArray());
    m_stuckTable->horizontalHeader()->restoreState(settings.value(kStuckColumnsKey).toByteArray());
    showView(static_cast<View>(std::clamp(settings.value(kViewKey, 0).toInt(), 0, 2)));
}

// Each table's columns take their content's width when its first rows are in.
void MonitorWidget::fitColumnsOnce()
{
    if (m_fitColumns && m_proxy->rowCount() > 0) {
        m_fitColumns = false;
        fitColumns(m_table);
    }
    if (m_fitStuckColumns && m_stuckProxy->rowCount() > 0) {
        m_fitStuckColumns = false;
        fitColumns(m_stuckTable);
    }
}

void MonitorWidget::fitColumns(QTableView *table)
{
    // Looks at the first rows only (the header's resize precision), not a million; the status
    // column fits every status with its icon, whichever came first.
    int statusWidth = 0;
    for (auto status : {coord::domain::TxStatus::Succeeded, coord::domain::TxStatus::Aborting,
                        coord::domain::TxStatus::Submitted, coord::domain::TxStatus::Prepared})
        statusWidth = std::max(
            statusWidth,
            m_table->fontMetrics().horizontalAdvance(QString::fromStdString(toString(status))));
    statusWidth += m_table->style()->pixelMetric(QStyle::PM_SmallIconSize) + 24;
    table->resizeColumnsToContents();
    const int status = TransactionTableModel::Status;
    table->setColumnWidth(status, std::max(table->columnWidth(status), statusWidth));
}

int MonitorWidget::stuckCount() const { return m_stuckProxy->rowCount(); }

void MonitorWidget::updateEmptyState()
{
    const int rows = m_transactions.rowCount();
    m_stack->setCurrentIndex(rows == 0 ? 0 : 1);
    const int stuck = m_stuckProxy->rowCount();
    m_views->setTabText(Stuck, stuck ? tr("Stuck (%1)").arg(stuck) : tr("Stuck"));
    emit countsChanged(rows, stuck);
}

}  // namespace txdesk::ui
