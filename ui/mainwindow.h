#pragma once

#include "client/coordinatorclient.h"

#include <QMainWindow>
#include <QPointer>

#include <functional>

class QLabel;
class QSystemTrayIcon;
class QTabWidget;

namespace txdesk::session {
class ConsoleSession;
class TokenVault;
}  // namespace txdesk::session

namespace txdesk::ui {

class CoordinatorBanner;
class DesignerWidget;
class InspectParticipantDialog;
class MonitorWidget;

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
    MonitorWidget *monitor() const { return m_monitor; }
    DesignerWidget *designer() const { return m_designer; }
    void showDesigner(bool designer);
    void showView(int index);  // the monitor's: 0 transactions, 1 stuck, 2 dashboard
    // Coordinator ▸ Inspect participant… (one dialog, raised when open)
    void openInspector();
    InspectParticipantDialog *inspector() const;
    // txdesk --inspect DSN: the dialog opens and runs on it once the coordinator answers.
    void inspectWhenConnected(const QString &dsn);
    // txdesk --design FLOW --explore: the designer's failure-path explorer runs on it once the
    // coordinator answers.
    void exploreWhenConnected();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void whenConnected(std::function<void()> run);  // now, or once the coordinator answers
    void createActions();
    void createStatusBar();
    void createTrayIcon();
    void connectSession();
    void saveLayout();  // geometry, columns, splitter
    void fitToScreen();
    void runDemo();
    void updateConnection(client::CoordinatorClient::State state, const QString &detail);
    void showCounts(int transactions, int stuck);

    session::ConsoleSession &m_session;
    session::TokenVault &m_vault;
    CoordinatorBanner *m_banner;
    MonitorWidget *m_monitor;
    DesignerWidget *m_designer;
    QTabWidget *m_modes;
    QLabel *m_connectionLabel;
    QLabel *m_addressLabel;
    QLabel *m_countLabel;
    QSystemTrayIcon *m_tray = nullptr;
    QPointer<InspectParticipantDialog> m_inspector;
    int m_stuckShown = -1;  // the stuck count the tray last showed; -1 before the first
};

}  // namespace txdesk::ui
