// The real txdesk executable (offscreen) and its bundled coordinator as processes: the
// coordinator ends with its console however the console ends, and two consoles on one database
// share one coordinator until the last of them closes.
#include "storage/sqlite/databaselock.h"
#include "support/childprocess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTest>

#include <csignal>
#include <filesystem>
#include <sys/prctl.h>
#include <sys/wait.h>

using coord::storage::DatabaseLock;

class TstConsoleProcess : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // Orphaned coordinators become our children, so their exit status can be read and a
        // finished one is never mistaken for a live zombie.
        QCOMPARE(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    }
    void init()
    {
        m_dir = QString::fromStdString(testsupport::makeTempDir("txdesk-console"));
        m_db = m_dir + QStringLiteral("/coordinator.db");
    }
    void cleanup()
    {
        for (auto &c : m_consoles)
            if (c->state() != QProcess::NotRunning) {
                c->kill();
                c->waitForFinished(5000);
            }
        m_consoles.clear();
        std::filesystem::remove_all(m_dir.toStdString());
    }

    void bundledCoordinatorEndsCleanlyWhenTheConsoleGetsSigterm()
    {
        QProcess *console = startConsole();
        const long pid = waitForCoordinator();
        QVERIFY(pid > 0);

        QElapsedTimer sinceSignal;
        sinceSignal.start();
        ::kill(static_cast<pid_t>(console->processId()), SIGTERM);
        QVERIFY(console->waitForFinished(5000));
        QCOMPARE(console->exitStatus(), QProcess::NormalExit);
        QCOMPARE(console->exitCode(), 0);
        int status = -1;
        QTRY_VERIFY_WITH_TIMEOUT(ended(pid, &status), 2000);
        qInfo("coordinator gone %lld ms after the console's SIGTERM", sinceSignal.elapsed());
        QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0, "it drains and exits 0");
        QVERIFY(log().contains(QStringLiteral("no console uses this coordinator any more")));
    }

    void bundledCoordinatorEndsWhenTheConsoleIsKilled()
    {
        QProcess *console = startConsole();
        const long pid = waitForCoordinator();
        QVERIFY(pid > 0);

        QElapsedTimer sinceSignal;
        sinceSignal.start();
        console->kill();  // SIGKILL: nothing of the console runs any more
        QVERIFY(console->waitForFinished(5000));
        int status = -1;
        QTRY_VERIFY_WITH_TIMEOUT(ended(pid, &status), 2000);
        qInfo("coordinator gone %lld ms after the console's SIGKILL", sinceSignal.elapsed());
        QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0, "it still drains and exits 0");
    }

    void twoConsolesOnOneDatabaseShareOneCoordinatorUntilTheLastCloses()
    {
        QProcess *first = startConsole();
        const long pid = waitForCoordinator();
        QVERIFY(pid > 0);
        QProcess *second = startConsole();
        const QString reused = QStringLiteral("bundled coordinator pid %1 on %2 (already running)")
                                   .arg(pid)
                                   .arg(address());
        QTRY_VERIFY_WITH_TIMEOUT(
            (m_secondSaid += QString::fromUtf8(second->readAllStandardError())).contains(reused),
            15000);
        QCOMPARE(DatabaseLock::holder(m_db.toStdString())->pid, pid);

        for (int i = 0; i < 10; ++i)
            QVERIFY(submitSaga());

        // The console that started it goes; the other still uses it.
        ::kill(static_cast<pid_t>(first->processId()), SIGTERM);
        QVERIFY(first->waitForFinished(5000));
        QTest::qWait(1000);  // ten times the coordinator's look at its users
        QVERIFY2(!ended(pid, nullptr), "the second console still uses it");
        for (int i = 0; i < 10; ++i)
            QVERIFY(submitSaga());

        ::kill(static_cast<pid_t>(second->processId()), SIGTERM);
        QVERIFY(second->waitForFinished(5000));
        int status = -1;
        QTRY_VERIFY_WITH_TIMEOUT(ended(pid, &status), 2000);
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }

    void consoleOpeningADeeplyNestedFlowFileSaysWhyAndLivesOn()
    {
        const QString file = m_dir + QStringLiteral("/deep.txflow.json");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"flow\":{\"name\":\"deep\",\"type\":\"SAGA\",\"branches\":[{\"id\":\"a\","
                "\"action\":\"sim://ok\",\"compensate\":\"sim://ok\",\"payload\":");
        f.write(QByteArray(200000, '['));  // 400 KB, inside the payload size limit
        f.write(QByteArray(200000, ']'));
        f.write("}]}}");
        f.close();
        QProcess *console = startConsole({QStringLiteral("--design"), file,
                                          QStringLiteral("--quit-after"), QStringLiteral("1500")});
        QVERIFY(console);
        QVERIFY(console->waitForFinished(20000));
        QCOMPARE(console->exitStatus(), QProcess::NormalExit);
        QCOMPARE(console->exitCode(), 0);
        const QString err = QString::fromUtf8(console->readAllStandardError());
        QVERIFY2(
            err.contains(QStringLiteral("flow.branches[0].payload: nested deeper than 256 levels")),
            qPrintable(err));
        // and its bundled coordinator was not left behind
        QTRY_VERIFY_WITH_TIMEOUT(!DatabaseLock::holder(m_db.toStdString()), 2000);
    }

private:
    QProcess *startConsole(QStringList extraArgs = {})
    {
        auto process = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir + QStringLiteral("/config"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir + QStringLiteral("/data"));
        process->setProcessEnvironment(env);
        process->start(QString::fromStdString(testsupport::binDir() + "/txdesk"),
                       QStringList{QStringLiteral("--db"), m_db} + extraArgs);
        if (!process->waitForStarted(5000))
            return nullptr;
        m_consoles.push_back(std::move(process));
        return m_consoles.back().get();
    }

    // The pid of the database's coordinator once it serves.
    long waitForCoordinator()
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 15000) {
            auto h = DatabaseLock::holder(m_db.toStdString());
            if (h && !h->address.empty())
                return h->pid;
            QTest::qWait(20);
        }
        return 0;
    }

    QString address() const
    {
        auto h = DatabaseLock::holder(m_db.toStdString());
        return h ? QString::fromStdString(h->address) : QString();
    }

    bool submitSaga()
    {
        const QString flow = m_dir + QStringLiteral("/ok.txflow.json");
        QFile f(flow);
        if (!f.exists() && f.open(QIODevice::WriteOnly))
            f.write("{\"name\":\"shared\",\"type\":\"SAGA\",\"branches\":[{\"id\":\"a\","
                    "\"action\":\"sim://ok\",\"compensate\":\"sim://ok\",\"payload\":{}}]}");
        f.close();
        auto r = testsupport::runCommand(
            testsupport::binDir() + "/txctl",
            {"--addr", address().toStdString(), "submit", flow.toStdString(), "--wait", "--json"});
        if (r.exitCode != 0 || r.out.find("\"SUCCEEDED\"") == std::string::npos)
            qWarning("submit: %d %s %s", r.exitCode, r.out.c_str(), r.err.c_str());
        return r.exitCode == 0 && r.out.find("\"SUCCEEDED\"") != std::string::npos;
    }

    // Whether pid has ended; reaps it (we are its subreaper) and reports its status.
    static bool ended(long pid, int *status)
    {
        int st = 0;
        if (::waitpid(static_cast<pid_t>(pid), &st, WNOHANG) == pid) {
            if (status)
                *status = st;
            return true;
        }
        return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
    }

    QString log() const
    {
        QFile f(m_db + QStringLiteral(".log"));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    QString m_dir, m_db, m_secondSaid;
    std::vector<std::unique_ptr<QProcess>> m_consoles;
};

QTEST_MAIN(TstConsoleProcess)
#include "tst_consoleprocess.moc"
