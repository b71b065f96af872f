#include "bundledcoordinator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimer>

namespace txdesk::session {

namespace {
constexpr int kKeptLines = 40;
constexpr int kStartTimeoutMs = 15000;
}  // namespace

BundledCoordinator::BundledCoordinator(QObject *parent) : QObject(parent)
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &BundledCoordinator::readOutput);
    connect(&m_process, &QProcess::finished, this, &BundledCoordinator::onFinished);
    connect(&m_process, &QProcess::errorOccurred, this, &BundledCoordinator::onError);
}

BundledCoordinator::~BundledCoordinator() { stop(); }

QString BundledCoordinator::defaultExecutable()
{
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("coordinator-lite"));
}

QString BundledCoordinator::defaultDatabasePath()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir).filePath(QStringLiteral("coordinator.db"));
}

void BundledCoordinator::start(const QString &executable, const QString &databasePath)
{
    stop();
    m_address.clear();
    m_output.clear();
    m_partialLine.clear();
    m_stopping = false;
    m_reported = false;
    m_databasePath = databasePath;
    if (!QFileInfo(executable).isExecutable()) {
        fail(tr("coordinator-lite was not found at %1").arg(executable));
        return;
    }
    QDir().mkpath(QFileInfo(databasePath).absolutePath());
    m_process.start(executable, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                 QStringLiteral("--db"), databasePath});
    QTimer::singleShot(kStartTimeoutMs, this, [this, pid = m_process.processId()] {
        if (m_address.isEmpty() && !m_reported && m_process.processId() == pid && pid != 0) {
            fail(tr("coordinator-lite did not report a listening address within %1 s")
                     .arg(kStartTimeoutMs / 1000));
            m_process.kill();
        }
    });
}

void BundledCoordinator::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_stopping = true;
    m_process.terminate();
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

void BundledCoordinator::readOutput()
{
    m_partialLine += m_process.readAllStandardOutput();
    int newline;
    while ((newline = m_partialLine.indexOf('\n')) >= 0) {
        QString line = QString::fromUtf8(m_partialLine.left(newline)).trimmed();
        m_partialLine.remove(0, newline + 1);
        m_output.append(line);
        while (m_output.size() > kKeptLines)
            m_output.removeFirst();
        static const QString prefix = QStringLiteral("listening on ");
        if (m_address.isEmpty() && line.startsWith(prefix)) {
            m_address = line.mid(prefix.size());
            emit ready(m_address);
        }
    }
}

void BundledCoordinator::onFinished(int exitCode, QProcess::ExitStatus status)
{
    readOutput();
    if (m_stopping)
        return;
    fail(status == QProcess::CrashExit
             ? tr("coordinator-lite was killed or crashed")
             : tr("coordinator-lite exited with code %1").arg(exitCode));
}

void BundledCoordinator::onError(QProcess::ProcessError error)
{
    if (error == QProcess::FailedToStart)
        fail(tr("coordinator-lite could not be started: %1").arg(m_process.errorString()));
}

void BundledCoordinator::fail(const QString &reason)
{
    if (m_reported)
        return;
    m_reported = true;
    emit failed(reason, lastOutput());
}

}  // namespace txdesk::session
