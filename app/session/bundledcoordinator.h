#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace txdesk::session {

// The coordinator-lite the console uses when no remote coordinator is configured: loopback
// only, a free port, a SQLite file in the user's data directory. One per database: a console
// finding that database's coordinator already running (another console, or one left over)
// uses it instead of starting a second. Every console using it holds a shared lock on
// DB.consoles and the coordinator runs with --exit-when-unused on that file, so it ends with
// the last console however that console ends (quit, SIGTERM, SIGKILL, a crash), and no sooner.
class BundledCoordinator : public QObject
{
    Q_OBJECT

public:
    explicit BundledCoordinator(QObject *parent = nullptr);
    ~BundledCoordinator() override;

    // Default: coordinator-lite next to the console's executable.
    static QString defaultExecutable();
    static QString defaultDatabasePath();
    static QString usersFile(const QString &databasePath);
    static QString logFile(const QString &databasePath);

    // Uses the database's running coordinator, or starts one; ready() or failed() follows.
    void start(const QString &executable, const QString &databasePath);
    // Ends this database's coordinator (SIGTERM, then SIGKILL if it does not drain in time),
    // even when other consoles use it: what "Restart" means.
    void stop();
    // This console no longer uses the coordinator; it ends if no other console does.
    void release();

    bool isRunning() const;
    bool isReused() const { return m_reused; }  // started by another console or left over
    qint64 processId() const { return m_pid; }
    QString address() const { return m_address; }
    // Where it serves DTM's HTTP API: what a go-zero service puts in DtmServer.
    QString dtmServerUrl() const;
    QString databasePath() const { return m_databasePath; }
    QString lastOutput() const;  // the tail of its log file

signals:
    void ready(const QString &address);
    // The process could not start, or exited before/after becoming ready.
    void failed(const QString &reason, const QString &lastOutput);

private:
    void poll();
    bool spawn();
    void watchExit();
    void onExited();
    void fail(const QString &reason);
    void reset();

    QString m_executable;
    QString m_databasePath;
    int m_usersFd = -1;  // our shared lock on usersFile()
    qint64 m_pid = 0;
    bool m_child = false;  // we started it (so we can read its exit status)
    bool m_reused = false;
    QString m_address;
    QString m_dtmAddress;
    QTimer m_poll;
    qint64 m_pollStartedMs = 0;
    int m_pidFd = -1;
    std::unique_ptr<QSocketNotifier> m_exitNotifier;
    bool m_stopping = false;
    bool m_reported = false;
};

}  // namespace txdesk::session
