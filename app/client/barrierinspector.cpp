#include "barrierinspector.h"

#include "barrier/barrierinspection.h"
#include "client/recordlookup.h"

#include <QMetaObject>

namespace txdesk::client {

BarrierInspector::BarrierInspector(QObject *parent) : QObject(parent) {}

BarrierInspector::~BarrierInspector() { stopThread(); }

void BarrierInspector::stopThread()
{
    if (m_cancelled)
        m_cancelled->store(true);
    if (m_thread.joinable())
        m_thread.join();
}

bool BarrierInspector::hasPassword(const QString &dsn)
{
    const std::string text = dsn.toStdString();
    return coord::barrier::redactDsn(text) != text;
}

void BarrierInspector::cancel()
{
    if (m_cancelled)
        m_cancelled->store(true);
}

void BarrierInspector::start(const CoordinatorClient::Endpoint &coordinator, const Request &request)
{
    stopThread();
    m_cancelled = std::make_shared<std::atomic<bool>>(false);
    m_running = true;
    m_thread = std::thread(&BarrierInspector::run, this, coordinator, request, ++m_generation,
                           m_cancelled);
}

void BarrierInspector::run(CoordinatorClient::Endpoint coordinator, Request request,
                           quint64 generation, std::shared_ptr<std::atomic<bool>> cancelled)
{
    // Every hand-over is queued to the owner's thread and dropped once a newer run started;
    // the destructor joins this thread first, so `this` outlives every call queued here.
    auto post = [this, generation](auto what) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, what = std::move(what)] {
                if (generation == m_generation)
                    what();
            },
            Qt::QueuedConnection);
    };
    auto end = [&](const QString &error) {
        const bool wasCancelled = cancelled->load();
        post([this, error, wasCancelled] {
            m_running = false;
            emit finished(error, wasCancelled);
        });
    };
    auto table = coord::barrier::openBarrierTable(
        request.dsn.toStdString(), request.table.toStdString(), coord::barrier::Access::ReadOnly);
    if (!table.ok())
        return end(QString::fromStdString(std::string(table.status().message())));
    const auto indexed = (*table)->hasGidIndex();
    post([this, name = QString::fromStdString((*table)->describe()),
          gidIndexed = !indexed.ok() || *indexed] { emit opened(name, gidIndexed); });

    coord::client::ConnectionOptions options;
    options.address = coordinator.address.toStdString();
    options.token = coordinator.token.toStdString();
    options.caPem = coordinator.caPem.toStdString();
    coord::client::Connection connection(options);
    coord::barrier::InspectionOptions inspection;
    inspection.participant = request.participant.toStdString();
    std::vector<coord::barrier::Finding> page;
    auto counts = coord::barrier::inspectTable(
        **table,
        [&connection](const std::vector<std::string> &gids) {
            return coord::client::getRecords(connection, gids, std::chrono::seconds(60));
        },
        inspection, [&page](const coord::barrier::Finding &f) { page.push_back(f); },
        [&](const coord::barrier::InspectionCounts &c) {
            post([this, findings = std::move(page), c] {
                if (!findings.empty())
                    emit found(findings);
                emit progressed(c.gids, c.rows, c.problems, c.inFlight);
            });
            page.clear();
            return !cancelled->load();
        });
    end(counts.ok() ? QString() : QString::fromStdString(std::string(counts.status().message())));
}

}  // namespace txdesk::client
