#include "bundledcoordinator.h"

#include "storage/sqlite/databaselock.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QThread>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace txdesk::session {

using coord::storage::DatabaseLock;
namespace filelock = coord::storage::filelock;

namespace {
constexpr int kKeptLines = 40;
constexpr int kStartTimeoutMs = 15000;
constexpr int kPollMs = 20;
constexpr int kDrainMs = 5000;

int openPidFd(qint64 pid)
{
#ifdef SYS_pidfd_open
    return static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

bool alive(qint64 pid)
{
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

QString describeExit(int status)
{
    if (WIFSIGNALED(status))
        return BundledCoordinator::tr("coordinator-lite was killed or crashed (signal %1)")
            .arg(WTERMSIG(status));
    return BundledCoordinator::tr("coordinator-lite exited with code %1").arg(WEXITSTATUS(status));
}

}  // namespace

BundledCoordinator::BundledCoordinator(QObject *parent) : QObject(parent)
{
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &BundledCoordinator::poll);
}

BundledCoordinator::~BundledCoordinator() { release(); }

QString BundledCoordinator::defaultExecutable()
{
    return QDir(QCoreApplication::applicationDirPath())
        .filePath(QStringLiteral("coordinator-lite"));
}

QString BundledCoordinator::defaultDatabasePath()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir).filePath(QStringLiteral("coordinator.db"));
}

QString BundledCoordinator::usersFile(const QString &databasePath)
{
    return databasePath + QStringLiteral(".consoles");
}

QString BundledCoordinator::logFile(const QString &databasePath)
{
    return databasePath + QStringLiteral(".log");
}

void BundledCoordinator::start(const QString &executable, const QString &databasePath)
{
    release();
    m_executable = executable;
    m_databasePath = databasePath;
    m_address.clear();
    m_dtmAddress.clear();
    m_stopping = false;
    m_reported = false;
    if (!QFileInfo(executable).isExecutable()) {
        fail(tr("coordinator-lite was not found at %1").arg(executable));
        return;
    }
    QDir().mkpath(QFileInfo(databasePath).absolutePath());
    m_usersFd = filelock::open(usersFile(databasePath).toStdString());
    if (m_usersFd < 0) {
        fail(tr("cannot use the database folder: %1: %2")
                 .arg(usersFile(databasePath), QString::fromLocal8Bit(std::strerror(errno))));
        return;
    }
    m_pollStartedMs = QDateTime::currentMSecsSinceEpoch();
    poll();
    if (!m_reported && m_address.isEmpty())
        m_poll.start();
}

// One step of starting: take our share of the coordinator, then find it or start it, then wait
// until it says where it listens.
void BundledCoordinator::poll()
{
    if (QDateTime::currentMSecsSinceEpoch() - m_pollStartedMs > kStartTimeoutMs) {
        m_poll.stop();
        if (m_child && alive(m_pid))
            ::kill(static_cast<pid_t>(m_pid), SIGKILL);
        fail(tr("coordinator-lite did not report a listening address within %1 s")
                 .arg(kStartTimeoutMs / 1000));
        return;
    }
    // A coordinator that is ending holds the lock exclusively until it is gone: wait for that.
    if (!filelock::tryLock(m_usersFd, false))
        return;
    const std::string db = m_databasePath.toStdString();
    const auto holder = DatabaseLock::holder(db);
    if (m_child && (!holder || holder->pid != m_pid)) {
        int status = 0;
        if (::waitpid(static_cast<pid_t>(m_pid), &status, WNOHANG) == static_cast<pid_t>(m_pid)) {
            m_child = false;
            if (!holder) {  // not lost to another console's coordinator: a real failure
                m_poll.stop();
                fail(describeExit(status));
                return;
            }
            m_pid = 0;
        }
    }
    if (!holder) {
        if (m_pid == 0 && !spawn()) {
            m_poll.stop();
            return;
        }
        return;
    }
    if (holder->address.empty())
        return;  // it is starting
    m_poll.stop();
    m_reused = !(m_child && holder->pid == m_pid);
    m_pid = holder->pid;
    m_child = !m_reused;
    m_address = QString::fromStdString(holder->address);
    m_dtmAddress = QString::fromStdString(holder->dtmAddress);
    qInfo("txdesk: bundled coordinator pid %lld on %s (%s), database %s", m_pid,
          qPrintable(m_address), m_reused ? "already running" : "started",
          qPrintable(m_databasePath));
    watchExit();
    emit ready(m_address);
}

bool BundledCoordinator::spawn()
{
    const QByteArray exe = QFile::encodeName(m_executable);
    const QByteArray db = QFile::encodeName(m_databasePath);
    const QByteArray users = QFile::encodeName(usersFile(m_databasePath));
    const QByteArray log = QFile::encodeName(logFile(m_databasePath));
    // Fault injection on: the console's failure-path explorer runs against it.
    const char *argv[] = {exe.constData(),
                          "--listen",
                          "127.0.0.1:0",
                          "--dtm-listen",
                          "127.0.0.1:0",
                          "--db",
                          db.constData(),
                          "--exit-when-unused",
                          users.constData(),
                          "--allow-fault-injection",
                          nullptr};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.constData(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group: a Ctrl-C in the console's terminal is the console's to handle,
    // and the coordinator may be serving other consoles.
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP})
        sigaddset(&defaults, s);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, exe.constData(), &actions, &attr,
                               const_cast<char *const *>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        fail(tr("coordinator-lite could not be started: %1")
                 .arg(QString::fromLocal8Bit(std::strerror(rc))));
        return false;
    }
    m_pid = pid;
    m_child = true;
    return true;
}

void BundledCoordinator::watchExit()
{
    m_pidFd = openPidFd(m_pid);
    if (m_pidFd >= 0) {
        m_exitNotifier = std::make_unique<QSocketNotifier>(m_pidFd, QSocketNotifier::Read);
        connect(m_exitNotifier.get(), &QSocketNotifier::activated, this,
                &BundledCoordinator::onExited);
        return;
    }
    // No pidfd (old kernel): look twice a second.
    m_exitNotifier.reset();
    auto *timer = new QTimer(this);
    timer->setObjectName(QStringLiteral("exitPoll"));
    connect(timer, &QTimer::timeout, this, [this, timer, pid = m_pid] {
        int status = 0;
        const bool gone = m_child ? ::waitpid(static_cast<pid_t>(pid), &status, WNOHANG) == pid
                                  : !alive(pid);
        if (gone || m_pid != pid) {
            timer->deleteLater();
            if (m_pid == pid)
                onExited();
        }
    });
    timer->start(500);
}

void BundledCoordinator::onExited()
{
    QString reason;
    if (m_child) {
        int status = 0;
        if (::waitpid(static_cast<pid_t>(m_pid), &status, WNOHANG) != static_cast<pid_t>(m_pid))
            ::waitpid(static_cast<pid_t>(m_pid), &status, 0);  // pidfd said it ended: reaps at once
        reason = describeExit(status);
    } else {
        reason =
            tr("the bundled coordinator (pid %1, started by another console) ended").arg(m_pid);
    }
    const QString output = lastOutput();
    const bool expected = m_stopping;
    reset();
    m_address.clear();
    if (!expected && !m_reported) {
        m_reported = true;
        emit failed(reason, output);
    }
}

QString BundledCoordinator::dtmServerUrl() const
{
    return m_dtmAddress.isEmpty() ? QString()
                                  : QStringLiteral("http://%1/api/dtmsvr").arg(m_dtmAddress);
}

bool BundledCoordinator::isRunning() const
{
    if (m_pid <= 0)
        return false;
    if (m_child) {
        siginfo_t info = {};
        // WNOWAIT: look without reaping, so onExited still reads the status.
        return ::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0
            && info.si_pid == 0;
    }
    return alive(m_pid);
}

QString BundledCoordinator::lastOutput() const
{
    if (m_databasePath.isEmpty())
        return {};
    QFile file(logFile(m_databasePath));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const qint64 tail = 16 * 1024;
    if (file.size() > tail)
        file.seek(file.size() - tail);
    QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
        lines.removeLast();
    if (lines.size() > kKeptLines)
        lines = lines.mid(lines.size() - kKeptLines);
    return lines.join(QLatin1Char('\n'));
}

void BundledCoordinator::stop()
{
    m_poll.stop();
    const qint64 pid = m_pid;
    if (pid <= 0 || !isRunning()) {
        release();
        return;
    }
    m_stopping = true;
    ::kill(static_cast<pid_t>(pid), SIGTERM);
    for (int waited = 0; isRunning() && waited < kDrainMs + 2000; waited += 20) {
        if (waited == kDrainMs)
            ::kill(static_cast<pid_t>(pid), SIGKILL);
        QThread::msleep(20);
    }
    if (m_child) {
        int status = 0;
        ::waitpid(static_cast<pid_t>(pid), &status, WNOHANG);
    }
    release();
}

void BundledCoordinator::release()
{
    m_poll.stop();
    reset();
    if (m_usersFd >= 0) {
        ::close(m_usersFd);  // drops our share; the coordinator ends if it was the last
        m_usersFd = -1;
    }
}

void BundledCoordinator::reset()
{
    m_exitNotifier.reset();
    if (m_pidFd >= 0) {
        ::close(m_pidFd);
        m_pidFd = -1;
    }
    m_pid = 0;
    m_child = false;
    m_reused = false;
}

void BundledCoordinator::fail(const QString &reason)
{
    if (m_reported)
        return;
    m_reported = true;
    emit failed(reason, lastOutput());
}

}  // namespace txdesk::session
