#include "failureexplorer.h"

#include "client/connection.h"

namespace txdesk::client {

FailureExplorer::FailureExplorer(QObject *parent) : QObject(parent), m_run(this) {}

FailureExplorer::~FailureExplorer() { m_run.stop(); }

void FailureExplorer::cancel() { m_run.cancel(); }

void FailureExplorer::start(const CoordinatorClient::Endpoint &coordinator,
                            const QByteArray &flowJson,
                            const coord::explore::ExploreOptions &options)
{
    coord::client::ConnectionOptions connection;
    connection.address = coordinator.address.toStdString();
    connection.token = coordinator.token.toStdString();
    connection.caPem = coordinator.caPem.toStdString();
    m_running = true;
    m_run.start([this, connection, flow = flowJson.toStdString(),
                 options](const BackgroundRun::Post &post, const std::atomic<bool> &cancelled) {
        coord::client::Connection channel(connection);
        coord::explore::Explorer explorer(channel, options);
        auto report = explorer.run(
            flow,
            [&](int done, int total, const coord::explore::PathResult &path) {
                post([this, done, total, path] { emit pathFinished(done, total, path); });
            },
            &cancelled);
        post([this, report = std::move(report)] {
            m_running = false;
            if (report.ok())
                emit finished(*report, QString());
            else
                emit finished({}, QString::fromStdString(std::string(report.status().message())));
        });
    });
}

}  // namespace txdesk::client
