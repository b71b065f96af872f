#pragma once

#include <QWidget>

class QSettings;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTableView;

namespace txdesk::client {
class CoordinatorClient;
}

namespace txdesk::models {
class TransactionFilterProxyModel;
class TransactionTableModel;
}  // namespace txdesk::models

namespace txdesk::ui {

class DashboardWidget;
class FilterBar;
class TransactionDetailWidget;

// The live monitor: the transaction and stuck tables with their filters and empty state, the
// dashboard, and the detail pane of the selected transaction below them.
class MonitorWidget : public QWidget
{
    Q_OBJECT

public:
    enum View { Transactions, Stuck, Dashboard };

    MonitorWidget(client::CoordinatorClient &client, models::TransactionTableModel &transactions,
                  QWidget *parent = nullptr);

    // Shows one transaction in the detail pane and selects its row once it is listed.
    void focusTransaction(const QString &gid);
    void showView(View view);
    void showDetailTab(const QString &name);  // branches, timeline or events
    void focusFilter();                       // the transactions view's text filter

    // Column widths and order, the splitter between tables and detail.
    void saveState(QSettings &settings) const;
    void restoreState(const QSettings &settings);

    int stuckCount() const;
    QTableView *transactionView() const { return m_table; }
    QTableView *stuckView() const { return m_stuckTable; }
    TransactionDetailWidget *detail() const { return m_detail; }
    DashboardWidget *dashboard() const { return m_dashboard; }
    FilterBar *filterBar() const { return m_filterBar; }

signals:
    void countsChanged(int transactions, int stuck);
    // The first-run page's buttons.
    void sampleFlowRequested();
    void demoRequested();

private:
    void setUpTables();
    void fitColumnsOnce();
    void fitColumns(QTableView *table);
    QWidget *transactionsPage();
    QWidget *firstRunPage();
    void updateEmptyState();

    models::TransactionTableModel &m_transactions;
    QStackedWidget *m_stack;
    QTableView *m_table;
    models::TransactionFilterProxyModel *m_proxy;
    bool m_fitColumns = true;  // until the first rows, unless saved widths were restored
    bool m_fitStuckColumns = true;
    models::TransactionFilterProxyModel *m_stuckProxy;
    QTableView *m_stuckTable;
    QTabWidget *m_views;
    FilterBar *m_filterBar;
    TransactionDetailWidget *m_detail;
    DashboardWidget *m_dashboard;
    QSplitter *m_splitter;
};

}  // namespace txdesk::ui
