#include "consolesession.h"

#include "bundledcoordinator.h"
#include "models/transactiontablemodel.h"

#include <QFile>

namespace txdesk::session {

using client::CoordinatorClient;

ConsoleSession::ConsoleSession(SessionConfig config, QObject *parent)
    : QObject(parent),
      m_config(std::move(config)),
      m_client(std::make_unique<CoordinatorClient>()),
      m_transactions(std::make_unique<models::TransactionTableModel>())
{
    auto *model = m_transactions.get();
    connect(m_client.get(), &CoordinatorClient::snapshotStarted, model,
            &models::TransactionTableModel::clear);
    connect(m_client.get(), &CoordinatorClient::snapshotPage, model,
            &models::TransactionTableModel::upsert);
    connect(m_client.get(), &CoordinatorClient::eventsArrived, model,
            &models::TransactionTableModel::applyEvents);
    connect(m_client.get(), &CoordinatorClient::stateChanged, this,
            &ConsoleSession::connectionChanged);

    m_bundled = std::make_unique<BundledCoordinator>();
    connect(m_bundled.get(), &BundledCoordinator::ready, this, [this](const QString &address) {
        if (!isBundled())
            return;
        m_client->connectTo(address);
        emit coordinatorStarted(address);
    });
    connect(m_bundled.get(), &BundledCoordinator::failed, this,
            [this](const QString &r, const QString &o) {
                if (isBundled())
                    emit coordinatorFailed(r, o);
            });
}

void ConsoleSession::reconfigure(SessionConfig config)
{
    m_config = std::move(config);
    if (!isBundled())
        m_bundled->release();
    start();
    emit reconfigured();
}

ConsoleSession::~ConsoleSession()
{
    // The client goes first so that it does not report the child's shutdown as a failure.
    m_client.reset();
    m_bundled.reset();
}

void ConsoleSession::start()
{
    if (!isBundled()) {
        QString ca;
        if (!m_config.caFile.isEmpty()) {
            QFile file(m_config.caFile);
            if (file.open(QIODevice::ReadOnly))
                ca = QString::fromUtf8(file.readAll());
            else
                emit coordinatorFailed(tr("cannot read the CA file %1").arg(m_config.caFile), {});
        }
        m_client->connectTo(m_config.remoteAddress, m_config.token, ca);
        return;
    }
    startBundledCoordinator();
}

void ConsoleSession::restartBundledCoordinator()
{
    if (!isBundled())
        return;
    m_bundled->stop();
    startBundledCoordinator();
}

void ConsoleSession::startBundledCoordinator()
{
    QString executable = m_config.coordinatorExecutable.isEmpty()
        ? BundledCoordinator::defaultExecutable()
        : m_config.coordinatorExecutable;
    QString db = m_config.databasePath.isEmpty() ? BundledCoordinator::defaultDatabasePath()
                                                 : m_config.databasePath;
    m_bundled->start(executable, db);
}

}  // namespace txdesk::session
