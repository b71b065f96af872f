// The designer's Go export against dtm's SDK API: each sample flow's export is compiled with
// Debian's Go against tests/dtmexport (dtmcli's exported SAGA/TCC API, the SDK's requests on the
// wire), run against coordinator-lite's DTM API, and must end as Run in the designer ends.
#include "document/flowexport.h"
#include "document/flowfile.h"
#include "support/coordinatorprocess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <thread>

namespace pb = txdesk::v1;

class TstDtmExport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_go = QStandardPaths::findExecutable(QStringLiteral("go"));
        if (m_go.isEmpty())
            m_go = QStandardPaths::findExecutable(QStringLiteral("go"),
                                                  {QStringLiteral("/usr/lib/go/bin")});
        QVERIFY2(!m_go.isEmpty(), "Go is not installed: scripts/setup installs golang-go");
        m_dir = QString::fromStdString(testsupport::makeTempDir("txdesk-goexport"));
        m_coordinator = std::make_unique<testsupport::CoordinatorProcess>(
            m_dir.toStdString() + "/c.db", std::vector<std::string>{"--dtm-listen", "127.0.0.1:0"});
        QVERIFY(m_coordinator->start());
        const std::string out = m_coordinator->output();
        const std::string marker = "dtm http listening on ";
        const size_t at = out.find(marker);
        QVERIFY(at != std::string::npos);
        m_dtmServer = QStringLiteral("http://%1/api/dtmsvr")
                          .arg(QString::fromStdString(out.substr(
                              at + marker.size(), out.find('\n', at) - at - marker.size())));
    }
    void cleanupTestCase()
    {
        m_coordinator.reset();
        std::filesystem::remove_all(m_dir.toStdString());
    }

    void exportedFlowCompilesAgainstTheSdkApiAndEndsAsRunDoes_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::newRow("bank transfer") << "bank-transfer-saga"
                                       << "SUCCEEDED";
        QTest::newRow("concurrent saga") << "concurrent-saga"
                                         << "SUCCEEDED";
        QTest::newRow("failing saga") << "failing-saga"
                                      << "FAILED";
        QTest::newRow("tcc") << "order-stock-payment-tcc"
                             << "SUCCEEDED";
    }

    void exportedFlowCompilesAgainstTheSdkApiAndEndsAsRunDoes()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        QFile in(QStringLiteral(TXDESK_SOURCE_DIR "/resources/flows/%1.txflow.json").arg(file));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();
        auto loaded = txdesk::document::loadFlowFile(bytes);
        QVERIFY2(loaded.data, qPrintable(loaded.error));

        // Run in the designer: the flow submitted natively, to its end.
        const QString native = finalStatus(submitNative(bytes));
        QCOMPARE(native, expected);

        // The export, built and run as a go-zero service would run it.
        const QString program = build(file, txdesk::document::dtmGoCode(*loaded.data));
        QVERIFY(!program.isEmpty());
        QProcess run;
        run.start(program, {m_dtmServer});
        QVERIFY(run.waitForFinished(60000));
        const QString out = QString::fromUtf8(run.readAllStandardOutput()).trimmed();
        QVERIFY2(out.startsWith(QStringLiteral("gid ")),
                 qPrintable(out + run.readAllStandardError()));
        QCOMPARE(finalStatus(out.mid(4)), native);
    }

private:
    QString build(const QString &name, const QString &code)
    {
        const QString dir = m_dir + QStringLiteral("/") + name;
        QDir().mkpath(dir);
        const QString stubs = QStringLiteral(TXDESK_SOURCE_DIR "/tests/dtmexport");
        QFile mod(dir + QStringLiteral("/go.mod"));
        if (!mod.open(QIODevice::WriteOnly))
            return {};
        mod.write(QStringLiteral("module txdeskexport\n\ngo 1.19\n\n"
                                 "require (\n\tgithub.com/dtm-labs/client v0.0.0\n"
                                 "\tgithub.com/go-resty/resty/v2 v2.7.0\n)\n\n"
                                 "replace github.com/dtm-labs/client => %1/client\n"
                                 "replace github.com/go-resty/resty/v2 => %1/resty\n")
                      .arg(stubs)
                      .toUtf8());
        mod.close();
        QFile flow(dir + QStringLiteral("/flow.go"));
        if (!flow.open(QIODevice::WriteOnly))
            return {};
        flow.write(code.toUtf8());
        flow.close();
        const QString fn = QStringLiteral("Run")
            + code.section(QStringLiteral("func Run"), 1).section(QLatin1Char('('), 0, 0);
        QFile main(dir + QStringLiteral("/main.go"));
        if (!main.open(QIODevice::WriteOnly))
            return {};
        main.write(QStringLiteral("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\n"
                                  "func main() {\n\tgid, err := %1(os.Args[1])\n"
                                  "\tfmt.Println(\"gid\", gid)\n\tif err != nil {\n"
                                  "\t\tfmt.Fprintln(os.Stderr, err)\n\t}\n}\n")
                       .arg(fn)
                       .toUtf8());
        main.close();
        QProcess go;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("GOFLAGS"), QStringLiteral("-mod=mod"));
        env.insert(QStringLiteral("GOPROXY"), QStringLiteral("off"));
        env.insert(QStringLiteral("GOSUMDB"), QStringLiteral("off"));
        env.insert(QStringLiteral("GOCACHE"), m_dir + QStringLiteral("/gocache"));
        env.insert(QStringLiteral("GOPATH"), m_dir + QStringLiteral("/gopath"));
        go.setProcessEnvironment(env);
        go.setWorkingDirectory(dir);
        go.setProcessChannelMode(QProcess::MergedChannels);
        go.start(m_go,
                 {QStringLiteral("build"), QStringLiteral("-o"), QStringLiteral("program"),
                  QStringLiteral(".")});
        if (!go.waitForFinished(180000) || go.exitCode() != 0) {
            qWarning("go build failed:\n%s\n--- flow.go ---\n%s", go.readAll().constData(),
                     qPrintable(code));
            return {};
        }
        return dir + QStringLiteral("/program");
    }

    QString submitNative(const QByteArray &file)
    {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        pb::SubmitRequest req;
        req.set_flow_json(file.toStdString());
        pb::SubmitReply reply;
        auto st = m_coordinator->stub().Submit(&ctx, req, &reply);
        if (!st.ok())
            qWarning("native submit: %s", st.error_message().c_str());
        return QString::fromStdString(reply.transaction().summary().gid());
    }

    QString finalStatus(const QString &gid)
    {
        for (int i = 0; i < 300; ++i) {
            grpc::ClientContext ctx;
            pb::GetRequest req;
            req.set_gid(gid.toStdString());
            pb::Transaction tx;
            if (m_coordinator->stub().Get(&ctx, req, &tx).ok()) {
                const auto s = tx.summary().status();
                if (s == pb::SUCCEEDED)
                    return QStringLiteral("SUCCEEDED");
                if (s == pb::FAILED)
                    return QStringLiteral("FAILED");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return QStringLiteral("not finished");
    }

    QString m_go, m_dir, m_dtmServer;
    std::unique_ptr<testsupport::CoordinatorProcess> m_coordinator;
};

QTEST_MAIN(TstDtmExport)
#include "tst_dtmexport.moc"
