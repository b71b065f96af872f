#pragma once

#include <QObject>
#include <QProcess>
#include <QStringList>

namespace txdesk::session {

// The coordinator-lite child process the console starts when no remote coordinator is
// configured: loopback only, a free port, a SQLite file in the user's data directory.
class BundledCoordinator : public QObject
{
    Q_OBJECT

public:
    explicit BundledCoordinator(QObject *parent = nullptr);
    ~BundledCoordinator() override;

    // Default: coordinator-lite next to the console's executable.
    static QString defaultExecutable();
    static QString defaultDatabasePath();

    void start(const QString &executable, const QString &databasePath);
    void stop();  // SIGTERM, then SIGKILL if it does not drain in time

    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    qint64 processId() const { return m_process.processId(); }
    QString address() const { return m_address; }
    QString databasePath() const { return m_databasePath; }
    QString lastOutput() const { return m_output.join(QLatin1Char('\n')); }

signals:
    void ready(const QString &address);
    // The process could not start, or exited before/after becoming ready.
    void failed(const QString &reason, const QString &lastOutput);

private:
    void readOutput();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onError(QProcess::ProcessError error);
    void fail(const QString &reason);

    QProcess m_process;
    QString m_address;
    QString m_databasePath;
    QStringList m_output;  // last lines, stdout and stderr merged
    QByteArray m_partialLine;
    bool m_stopping = false;
    bool m_reported = false;
};

}  // namespace txdesk::session
