#pragma once

#include "client/coordinatorclient.h"

#include <QMainWindow>

class QLabel;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace txdesk::session {
class ConsoleSession;
}

namespace txdesk::ui {

class CoordinatorBanner;

// The console's main window. It only assembles views over the session.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(session::ConsoleSession &session, QWidget *parent = nullptr);

    QString connectionText() const;
    CoordinatorBanner *banner() const { return m_banner; }
    QTableView *transactionView() const { return m_table; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createStatusBar();
    void updateConnection(client::CoordinatorClient::State state, const QString &detail);
    void updateEmptyState();

    session::ConsoleSession &m_session;
    CoordinatorBanner *m_banner;
    QStackedWidget *m_stack;
    QTableView *m_table;
    QSortFilterProxyModel *m_proxy;
    QLabel *m_connectionLabel;
    QLabel *m_addressLabel;
    QLabel *m_countLabel;
};

}  // namespace txdesk::ui
