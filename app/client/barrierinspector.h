#pragma once

#include "backgroundrun.h"
#include "coordinatorclient.h"

#include "barrier/consistency.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <vector>

namespace txdesk::client {

// The console's run of the consistency inspector (Coordinator ▸ Inspect participant…): a
// participant's barrier table read a page at a time on a thread of its own, each page's gids
// looked up at the coordinator in one call (its own connection), findings and counts handed to
// the owner's thread as they come. Read only; cancellable between pages.
class BarrierInspector : public QObject
{
    Q_OBJECT

public:
    struct Request {
        QString dsn;          // SQLite path, postgres://…, mysql://…
        QString table;        // empty: barrier (SQLite) or dtm_barrier.barrier
        QString participant;  // host:port of the service, to expect its branches (optional)
    };
    explicit BarrierInspector(QObject *parent = nullptr);
    ~BarrierInspector() override;  // cancels and waits for the run

    // Starts a run; one already going is cancelled first.
    void start(const CoordinatorClient::Endpoint &coordinator, const Request &request);
    void cancel();
    bool running() const { return m_running; }
    static bool hasPassword(const QString &dsn);

signals:
    // The table is open: how it is named, and whether an index starts with gid.
    void opened(const QString &table, bool gidIndexed);
    void found(const std::vector<coord::barrier::Finding> &findings);
    void progressed(qint64 gids, qint64 rows, qint64 problems, qint64 inFlight);
    // The run ended: an empty error when it read the whole table (or was cancelled).
    void finished(const QString &error, bool cancelled);

private:
    void run(const CoordinatorClient::Endpoint &coordinator, const Request &request,
             const BackgroundRun::Post &post, const std::atomic<bool> &cancelled);

    BackgroundRun m_run;
    bool m_running = false;
};

}  // namespace txdesk::client
