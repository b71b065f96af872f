#pragma once

#include "client/coordinatorclient.h"

#include <QObject>
#include <QString>

#include <memory>

namespace txdesk::models {
class TransactionTableModel;
}

namespace txdesk::session {

class BundledCoordinator;

// Where the console connects: a remote coordinator, or (address empty) the bundled one.
struct SessionConfig {
    QString profileName;  // shown to the user
    QString remoteAddress;
    QString token;
    QString caFile;                 // TLS when set
    QString coordinatorExecutable;  // bundled mode; empty = next to the console
    QString databasePath;           // bundled mode; empty = the user's data directory
};

// One console's link to its coordinator: starts the bundled child if needed, keeps the client
// connected and the transaction model current. No widgets.
class ConsoleSession : public QObject
{
    Q_OBJECT

public:
    explicit ConsoleSession(SessionConfig config, QObject *parent = nullptr);
    ~ConsoleSession() override;

    void start();
    // Ends the bundled coordinator (even one other consoles share) and starts a fresh one.
    void restartBundledCoordinator();
    // Connects elsewhere (or back to the bundled coordinator) without restarting the console.
    void reconfigure(SessionConfig config);
    const SessionConfig &config() const { return m_config; }

    bool isBundled() const { return m_config.remoteAddress.isEmpty(); }
    BundledCoordinator *bundled() const { return m_bundled.get(); }
    client::CoordinatorClient *client() const { return m_client.get(); }
    models::TransactionTableModel *transactions() const { return m_transactions.get(); }
    QString address() const { return m_client->address(); }

signals:
    void connectionChanged(txdesk::client::CoordinatorClient::State state, const QString &detail);
    // The bundled coordinator could not start or died; the console lives on.
    void coordinatorFailed(const QString &reason, const QString &lastOutput);
    void coordinatorStarted(const QString &address);
    void reconfigured();

private:
    void startBundledCoordinator();

    SessionConfig m_config;
    std::unique_ptr<client::CoordinatorClient> m_client;
    std::unique_ptr<models::TransactionTableModel> m_transactions;
    std::unique_ptr<BundledCoordinator> m_bundled;
};

}  // namespace txdesk::session
