// The console's client against a real coordinator-lite process.
#include "client/coordinatorclient.h"
#include "storage/sqlite/sqlitestore.h"
#include "support/childprocess.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <csignal>
#include <filesystem>
#include <optional>

using txdesk::client::CoordinatorClient;
using State = CoordinatorClient::State;
using namespace coord::domain;

namespace {

// Adds one transaction (with its creation event) straight into a coordinator's database.
void addTransaction(const std::string &db, const std::string &gid)
{
    auto store = coord::storage::SqliteStore::open(db);
    QVERIFY(store.ok());
    coord::storage::TxWrite w;
    w.gid = gid;
    w.insert = Transaction{};
    w.insert->summary.gid = gid;
    w.insert->summary.createdMs = 1;
    w.insert->summary.status = TxStatus::Succeeded;  // finished: the engine leaves it alone
    Event e;
    e.kind = EventKind::TxCreated;
    e.summary = w.insert->summary;
    w.events.push_back(e);
    std::vector<coord::storage::TxWrite> batch{w};
    QVERIFY((*store)->commit(batch)[0].status.ok());
}

}  // namespace

class TstCoordinatorClient : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = testsupport::makeTempDir("txdesk-client");
        m_db = m_dir + "/coordinator.db";
    }
    void cleanup() { std::filesystem::remove_all(m_dir); }

    void connectsListsAndFollowsTheCoordinatorGoingAwayAndComingBack()
    {
        addTransaction(m_db, "before-start");
        auto server = std::make_unique<testsupport::ChildProcess>(
            testsupport::binDir() + "/coordinator-lite",
            std::vector<std::string>{"--listen", "127.0.0.1:0", "--db", m_db});
        QVERIFY(server->start());
        const std::string addr = server->waitForLine("listening on ");
        QVERIFY2(!addr.empty(), server->output().c_str());

        CoordinatorClient client;
        client.setReconnectInterval(100);
        QSignalSpy states(&client, &CoordinatorClient::stateChanged);
        QSignalSpy pages(&client, &CoordinatorClient::snapshotPage);
        QSignalSpy finished(&client, &CoordinatorClient::snapshotFinished);
        QSignalSpy events(&client, &CoordinatorClient::eventsArrived);
        std::vector<Qt::HANDLE> threads;
        connect(&client, &CoordinatorClient::snapshotPage, this,
                [&] { threads.push_back(QThread::currentThreadId()); });
        client.connectTo(QString::fromStdString(addr));

        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Connected, 10000);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toLongLong(), 1);
        QCOMPARE(pages.count(), 1);
        auto rows = pages.first().at(0).value<std::vector<TxSummary>>();
        QCOMPARE(rows.size(), size_t(1));
        QCOMPARE(rows[0].gid, std::string("before-start"));
        QCOMPARE(threads.front(), QThread::currentThreadId());  // delivered on this thread

        server->signal(SIGKILL);
        server->wait();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Disconnected, 10000);
        QVERIFY(!client.lastError().isEmpty());

        // While it is down, the database moves on; the client must replay exactly that.
        addTransaction(m_db, "while-down");
        server = std::make_unique<testsupport::ChildProcess>(
            testsupport::binDir() + "/coordinator-lite",
            std::vector<std::string>{"--listen", addr, "--db", m_db});
        QVERIFY(server->start());
        QVERIFY2(server->waitForLine("listening on ") == addr, server->output().c_str());

        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Connected, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(events.count(), 1, 10000);
        auto delivered = events.first().at(0).value<std::vector<Event>>();
        QCOMPARE(delivered.size(), size_t(1));
        QCOMPARE(delivered[0].seq, 2);
        QCOMPARE(delivered[0].summary.gid, std::string("while-down"));
        QCOMPARE(client.lastSeq(), 2);
        QCOMPARE(finished.count(), 1);  // resumed, not re-listed
    }

    void reportsAnAddressWithNoCoordinator()
    {
        CoordinatorClient client;
        client.setReconnectInterval(100);
        QSignalSpy states(&client, &CoordinatorClient::stateChanged);
        client.connectTo(QStringLiteral("127.0.0.1:1"));
        QTRY_VERIFY_WITH_TIMEOUT(states.count() >= 2, 10000);  // Connecting, then Disconnected
        QCOMPARE(states.at(0).at(0).value<State>(), State::Connecting);
        QCOMPARE(states.at(1).at(0).value<State>(), State::Disconnected);
        QVERIFY(!states.at(1).at(1).toString().isEmpty());
        QCOMPARE(client.lastError(), states.at(1).at(1).toString());
    }

    void fetchesATransactionOrSaysWhyNot()
    {
        addTransaction(m_db, "known");
        testsupport::ChildProcess server(testsupport::binDir() + "/coordinator-lite",
                                         {"--listen", "127.0.0.1:0", "--db", m_db});
        QVERIFY(server.start());
        const std::string addr = server.waitForLine("listening on ");
        CoordinatorClient client;
        client.connectTo(QString::fromStdString(addr));
        std::optional<absl::Status> status;
        std::string gid;
        client.fetchTransaction(QStringLiteral("known"),
                                [&](const Transaction &tx, const absl::Status &s) {
                                    gid = tx.summary.gid;
                                    status = s;
                                });
        QTRY_VERIFY_WITH_TIMEOUT(status.has_value(), 10000);
        QVERIFY2(status->ok(), qPrintable(txdesk::client::errorText(*status)));
        QCOMPARE(gid, std::string("known"));

        // The coordinator's code reaches the caller as it was, not only a text.
        status.reset();
        client.fetchTransaction(QStringLiteral("unknown-gid"),
                                [&](const Transaction &, const absl::Status &s) { status = s; });
        QTRY_VERIFY_WITH_TIMEOUT(status.has_value(), 10000);
        QCOMPARE(status->code(), absl::StatusCode::kNotFound);
        QVERIFY2(txdesk::client::errorText(*status).contains(QStringLiteral("unknown gid")),
                 qPrintable(txdesk::client::errorText(*status)));
    }

private:
    std::string m_dir;
    std::string m_db;
};

QTEST_GUILESS_MAIN(TstCoordinatorClient)
#include "tst_coordinatorclient.moc"
