#pragma once

#include "backgroundrun.h"
#include "coordinatorclient.h"

#include "explore/explorer.h"

#include <QObject>
#include <QString>

namespace txdesk::client {

// The console's run of the failure-path explorer (Designer ▸ Explore failures…): the flow run
// once per failure point on a thread of its own, with its own connection to the coordinator;
// each path's verdict handed to the owner's thread as it ends, the report at the end.
class FailureExplorer : public QObject
{
    Q_OBJECT

public:
    explicit FailureExplorer(QObject *parent = nullptr);
    ~FailureExplorer() override;  // cancels and waits for the run

    // Starts a run; one already going is cancelled first.
    void start(const CoordinatorClient::Endpoint &coordinator, const QByteArray &flowJson,
               const coord::explore::ExploreOptions &options);
    void cancel();  // paths under way end; no new one starts
    bool running() const { return m_running; }

signals:
    void pathFinished(int done, int total, const coord::explore::PathResult &path);
    // The whole run: the report (barrier findings added, red paths first), or an error saying
    // why nothing could be explored.
    void finished(const coord::explore::ExploreReport &report, const QString &error);

private:
    BackgroundRun m_run;
    bool m_running = false;
};

}  // namespace txdesk::client
