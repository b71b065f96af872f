#pragma once

#include "client/coordinatorclient.h"

#include <QMainWindow>

class QLabel;
class QStackedWidget;
class QTabWidget;
class QTableView;

namespace txdesk::session {
class ConsoleSession;
class TokenVault;
}

namespace txdesk::models {
class TransactionFilterProxyModel;
}

namespace txdesk::ui {

class CoordinatorBanner;
class DashboardWidget;
class DesignerWidget;
class FilterBar;
class TransactionDetailWidget;

// The console's main window. It only assembles views over the session.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(session::ConsoleSession &session, session::TokenVault &vault,
               QWidget *parent = nullptr);

    QString connectionText() const;
    QString addressText() const;  // the status bar's coordinator address (and DtmServer URL)
    // Shows one transaction in the detail pane and selects its row once it is listed.
    void focusTransaction(const QString &gid);
    void showDetailTab(const QString &name);  // branches, timeline or events
    CoordinatorBanner *banner() const { return m_banner; }
    QTableView *transactionView() const { return m_table; }
    QTableView *stuckView() const { return m_stuckTable; }
    TransactionDetailWidget *detail() const { return m_detail; }
    DashboardWidget *dashboard() const { return m_dashboard; }
    DesignerWidget *designer() const { return m_designer; }
    void showDesigner(bool designer);
    void showView(int index);  // 0 transactions, 1 stuck, 2 dashboard
    FilterBar *filterBar() const { return m_filterBar; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createStatusBar();
    void updateConnection(client::CoordinatorClient::State state, const QString &detail);
    void updateEmptyState();

    session::ConsoleSession &m_session;
    session::TokenVault &m_vault;
    CoordinatorBanner *m_banner;
    QStackedWidget *m_stack;
    QTableView *m_table;
    models::TransactionFilterProxyModel *m_proxy;
    models::TransactionFilterProxyModel *m_stuckProxy;
    QTableView *m_stuckTable;
    QTabWidget *m_views;
    FilterBar *m_filterBar;
    TransactionDetailWidget *m_detail;
    DashboardWidget *m_dashboard;
    DesignerWidget *m_designer;
    QTabWidget *m_modes;
    QLabel *m_connectionLabel;
    QLabel *m_addressLabel;
    QLabel *m_countLabel;
};

}  // namespace txdesk::ui
