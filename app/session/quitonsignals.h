#pragma once

#include <QObject>

#include <memory>

class QSocketNotifier;

namespace txdesk::session {

// Turns SIGTERM, SIGINT and SIGHUP (a kill, Ctrl-C, a session ending) into a normal quit of the
// event loop, so the console closes as if the user had quit: settings saved, its share of the
// bundled coordinator released. The handler only writes to a pipe; the rest runs on the GUI
// thread. One per process.
class QuitOnSignals : public QObject
{
    Q_OBJECT

public:
    explicit QuitOnSignals(QObject *parent = nullptr);
    ~QuitOnSignals() override;

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

}  // namespace txdesk::session
