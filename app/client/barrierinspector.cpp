#include "barrierinspector.h"

#include "barrier/barrierinspection.h"
#include "client/recordlookup.h"

namespace txdesk::client {

BarrierInspector::BarrierInspector(QObject *parent) : QObject(parent), m_run(this) {}

BarrierInspector::~BarrierInspector() { m_run.stop(); }

bool BarrierInspector::hasPassword(const QString &dsn)
{
    const std::string text = dsn.toStdString();
    return coord::barrier::redactDsn(text) != text;
}

void BarrierInspector::cancel() { m_run.cancel(); }

void BarrierInspector::start(const CoordinatorClient::Endpoint &coordinator, const Request &request)
{
    m_running = true;
    m_run.start([this, coordinator, request](const BackgroundRun::Post &post,
                                             const std::atomic<bool> &cancelled) {
        run(coordinator, request, post, cancelled);
    });
}

void BarrierInspector::run(const CoordinatorClient::Endpoint &coordinator, const Request &request,
                           const BackgroundRun::Post &post, const std::atomic<bool> &cancelled)
{
    auto end = [&](const QString &error) {
        const bool wasCancelled = cancelled.load();
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
            return !cancelled.load();
        });
    end(counts.ok() ? QString() : QString::fromStdString(std::string(counts.status().message())));
}

}  // namespace txdesk::client
