#include "failureexplorer.h"

#include "client/connection.h"

#include <QMetaObject>

namespace txdesk::client {

FailureExplorer::FailureExplorer(QObject *parent) : QObject(parent) {}

FailureExplorer::~FailureExplorer() { stopThread(); }

void FailureExplorer::stopThread()
{
    cancel();
    if (m_thread.joinable())
        m_thread.join();
}

void FailureExplorer::cancel()
{
    if (m_cancelled)
        m_cancelled->store(true);
}

void FailureExplorer::start(const CoordinatorClient::Endpoint &coordinator,
                            const QByteArray &flowJson,
                            const coord::explore::ExploreOptions &options)
{
    stopThread();
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    m_cancelled = cancelled;
    m_running = true;
    const quint64 generation = ++m_generation;
    coord::client::ConnectionOptions connection;
    connection.address = coordinator.address.toStdString();
    connection.token = coordinator.token.toStdString();
    connection.caPem = coordinator.caPem.toStdString();
    m_thread = std::thread([this, connection, flow = flowJson.toStdString(), options, generation,
                            cancelled] {
        // Every hand-over is queued to the owner's thread and dropped once a newer run
        // started; the destructor joins this thread first, so `this` outlives them.
        auto post = [this, generation](auto what) {
            QMetaObject::invokeMethod(
                this,
                [this, generation, what = std::move(what)] {
                    if (generation == m_generation)
                        what();
                },
                Qt::QueuedConnection);
        };
        coord::client::Connection channel(connection);
        coord::explore::Explorer explorer(channel, options);
        auto report = explorer.run(
            flow,
            [&](int done, int total, const coord::explore::PathResult &path) {
                post([this, done, total, path] { emit pathFinished(done, total, path); });
            },
            cancelled.get());
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
