// (No raw strings in this file: moc does not read them.)
// The designer's document: every edit undoes and redoes exactly, validation, and the file format.
#include "document/flowdocument.h"
#include "document/flowfile.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace txdesk::document;
using coord::domain::OpKind;
using coord::domain::TxType;
using Severity = coord::flow::FlowIssue::Severity;

namespace {

BranchData sagaBranch(const QString &id, QStringList after = {})
{
    BranchData b;
    b.id = id;
    b.name = QStringLiteral("Branch ") + id;
    b.after = std::move(after);
    b.endpoints[OpKind::Action] = QStringLiteral("sim://%1").arg(id);
    b.endpoints[OpKind::Compensate] = QStringLiteral("sim://%1").arg(id);
    b.payload = QStringLiteral("{\"amount\": 30}");
    return b;
}

bool hasIssue(const std::vector<coord::flow::FlowIssue> &issues, Severity s, const QString &text)
{
    for (const auto &i : issues)
        if (i.severity == s && QString::fromStdString(i.message).contains(text))
            return true;
    return false;
}

}  // namespace

class TstFlowDocument : public QObject
{
    Q_OBJECT

private:
    // Applies `edit`, then checks undo restores `before` and redo restores `after` exactly.
    void checkUndoRedo(FlowDocument &doc, const std::function<void()> &edit)
    {
        const FlowData before = doc.data();
        const int steps = doc.undoStack()->count();
        edit();
        const FlowData after = doc.data();
        QVERIFY(!(after == before));
        QCOMPARE(doc.undoStack()->count(), steps + 1);
        doc.undoStack()->undo();
        QVERIFY(doc.data() == before);
        doc.undoStack()->redo();
        QVERIFY(doc.data() == after);
    }

private slots:
    void everyEditUndoesAndRedoesExactly()
    {
        FlowDocument doc;
        checkUndoRedo(doc, [&] { QVERIFY(doc.addBranch(sagaBranch("a"))); });
        checkUndoRedo(doc, [&] { QVERIFY(doc.addBranch(sagaBranch("b"))); });
        checkUndoRedo(doc, [&] { QVERIFY(doc.addEdge("a", "b")); });
        checkUndoRedo(doc, [&] {
            BranchData b = *doc.branch("b");
            b.payload = QStringLiteral("{\"amount\": 31}");
            QVERIFY(doc.setBranch("b", b, "payload"));
        });
        checkUndoRedo(doc, [&] {
            BranchData a = *doc.branch("a");
            a.id = QStringLiteral("debit");
            QVERIFY(doc.setBranch("a", a, "rename"));
        });
        QCOMPARE(doc.branch("b")->after, QStringList{"debit"});  // the edge followed the rename
        checkUndoRedo(doc, [&] {
            auto options = doc.data().options;
            options.retryIntervalMs = 250;
            doc.setFlow("transfer", TxType::Saga, options);
        });
        checkUndoRedo(doc, [&] { doc.setFlow("transfer", TxType::Tcc, doc.data().options); });
        QCOMPARE(doc.branch("b")->endpoints.at(OpKind::Try), QStringLiteral("sim://b"));
        checkUndoRedo(doc, [&] { doc.autoLayout(); });
        checkUndoRedo(doc, [&] { QVERIFY(doc.removeEdge("debit", "b")); });
        QVERIFY(doc.addEdge("debit", "b"));
        checkUndoRedo(doc, [&] { QVERIFY(doc.removeBranch("debit")); });
        QVERIFY(doc.branch("b")->after.isEmpty());  // deleting a branch drops edges to it
    }

    void pasteIsOneStepWithUniqueIdsAndInnerOrdering()
    {
        FlowDocument doc;
        doc.addBranch(sagaBranch("a"));
        doc.addBranch(sagaBranch("b", {"a"}));
        const FlowData before = doc.data();
        std::vector<BranchData> copied = doc.data().branches;
        copied[0].after = {QStringLiteral("gone")};  // edges leaving the copied group are dropped
        const QStringList ids = doc.paste(copied, QPointF(40, 40));
        QCOMPARE(ids, (QStringList{"a_copy", "b_copy"}));
        QCOMPARE(doc.branch("b_copy")->after, QStringList{"a_copy"});
        QVERIFY(doc.branch("a_copy")->after.isEmpty());
        QCOMPARE(doc.branch("a_copy")->pos, QPointF(40, 40));
        doc.undoStack()->undo();
        QVERIFY(doc.data() == before);
        QCOMPARE(doc.paste(copied, {}), (QStringList{"a_copy", "b_copy"}));
        QCOMPARE(doc.paste(copied, {}), (QStringList{"a_copy2", "b_copy2"}));
    }

    void aDragIsOneUndoStep()
    {
        FlowDocument doc;
        doc.addBranch(sagaBranch("a"));
        const int steps = doc.undoStack()->count();
        for (int x = 1; x <= 20; ++x)
            doc.moveBranch("a", QPointF(x * 5, x));
        doc.finishMove();
        QCOMPARE(doc.undoStack()->count(), steps + 1);
        QCOMPARE(doc.branch("a")->pos, QPointF(100, 20));
        doc.undoStack()->undo();
        QCOMPARE(doc.branch("a")->pos, QPointF(0, 0));
        doc.moveBranch("a", QPointF(1, 1));  // a new drag is a new step
        doc.finishMove();
        QCOMPARE(doc.undoStack()->count(), steps + 1);  // the undone one was replaced
    }

    void invalidEditsAreRefused()
    {
        FlowDocument doc;
        doc.addBranch(sagaBranch("a"));
        QVERIFY(!doc.addBranch(sagaBranch("a")));  // duplicate id
        QVERIFY(!doc.addEdge("a", "a"));           // self edge
        QVERIFY(!doc.addEdge("a", "zz"));          // unknown
        BranchData b = sagaBranch("b");
        doc.addBranch(b);
        b.id = QStringLiteral("a");
        QVERIFY(!doc.setBranch("b", b, "rename onto an existing id"));
    }

    void validationFindsEveryRule()
    {
        FlowDocument doc;
        doc.addBranch(sagaBranch("a", {"b"}));
        doc.addBranch(sagaBranch("b", {"a"}));
        BranchData broken = sagaBranch("c");
        broken.payload = QStringLiteral("{not json");
        broken.endpoints.erase(OpKind::Compensate);
        broken.endpoints[OpKind::Action] = QStringLiteral("ftp://x");
        doc.addBranch(broken);
        auto issues = doc.validate();
        QVERIFY(hasIssue(issues, Severity::Error, "ordering cycle"));
        QVERIFY(hasIssue(issues, Severity::Error, "payload of branch c is not valid JSON"));
        QVERIFY(hasIssue(issues, Severity::Error, "compensate: missing"));
        QVERIFY(hasIssue(issues, Severity::Error, "unsupported scheme"));
        FlowDocument ordering;  // (ordering hazards are judged once the order is acyclic)
        BranchData first = sagaBranch("notify");
        first.notRollbackable = true;
        ordering.addBranch(first);
        ordering.addBranch(sagaBranch("pay"));
        QVERIFY(hasIssue(ordering.validate(), Severity::Warning,
                         "cannot be rolled back but may run before"));
        QVERIFY(ordering.addEdge("pay", "notify"));
        QVERIFY(!hasIssue(ordering.validate(), Severity::Warning, "cannot be rolled back"));
        for (const auto &i : issues)
            QVERIFY2(!i.branchId.empty() || i.field.find("branches") == std::string::npos,
                     i.message.c_str());  // findings about a branch name it (clickable)
    }

    void fileRoundTripKeepsFlowAndLayoutApart()
    {
        FlowDocument doc;
        doc.addBranch(sagaBranch("out"));
        BranchData in = sagaBranch("in", {"out"});
        in.pos = QPointF(240, 10);
        in.maxRetries = 3;
        doc.addBranch(in);
        QString error;
        const QByteArray bytes = saveFlowFile(doc.data(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(bytes.indexOf("\"flow\"") < bytes.indexOf("\"layout\""));
        QVERIFY(bytes.indexOf("\"name\"") < bytes.indexOf("\"type\""));
        LoadedFlow loaded = loadFlowFile(bytes);
        QVERIFY2(loaded.data.has_value(), qPrintable(loaded.error));
        QVERIFY(loaded.hadLayout);
        QCOMPARE(loaded.data->branches.size(), size_t(2));
        QCOMPARE(loaded.data->branches[1].pos, QPointF(240, 10));
        QCOMPARE(loaded.data->branches[1].maxRetries, 3);
        QCOMPARE(saveFlowFile(*loaded.data, &error), bytes);  // stable: same bytes again
    }

    void badFilesGiveAnErrorAndNothingHalfLoaded_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{\"flow\": [") << "not valid JSON";
        QTest::newRow("unknown key")
            << QByteArray("{\"flow\":{\"type\":\"SAGA\",\"branches\":[],\"colour\":1}}")
            << "flow.colour: unknown key";
        QTest::newRow("wrong type")
            << QByteArray("{\"flow\":{\"type\":\"SAGA\",\"branches\":{}}}") << "flow.branches";
        QTest::newRow("bad layout")
            << QByteArray("{\"flow\":{\"type\":\"SAGA\",\"branches\":[{\"id\":\"a\"}]},\"layout\":{"
                          "\"a\":{\"x\":\"left\"}}}")
            << "layout.a";
        QTest::newRow("empty") << QByteArray() << "not valid JSON";
    }

    void badFilesGiveAnErrorAndNothingHalfLoaded()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        LoadedFlow loaded = loadFlowFile(bytes);
        QVERIFY(!loaded.data.has_value());
        QVERIFY2(loaded.error.contains(expected), qPrintable(loaded.error));
    }

    void aFlowWithProblemsStillOpensForFixing()
    {
        LoadedFlow loaded = loadFlowFile(
            "{\"flow\":{\"type\":\"SAGA\",\"branches\":[{\"id\":\"a\",\"action\":\"sim://x\"}]}}");
        QVERIFY2(loaded.data.has_value(), qPrintable(loaded.error));
        FlowDocument doc;
        doc.replaceAll(*loaded.data, "open");
        QVERIFY(hasIssue(doc.validate(), Severity::Error, "compensate: missing"));
    }

    void invalidPayloadIsNotSaved()
    {
        FlowDocument doc;
        BranchData b = sagaBranch("a");
        b.payload = QStringLiteral("{oops");
        doc.addBranch(b);
        QString error;
        QVERIFY(saveFlowFile(doc.data(), &error).isEmpty());
        QVERIFY(error.contains(QStringLiteral("branch a")));
    }

    void sampleFlowsLoadAndValidateClean()
    {
        QDir dir(QStringLiteral(TXDESK_SOURCE_DIR "/resources/flows"));
        const auto files = dir.entryList({QStringLiteral("*.txflow.json")});
        QVERIFY(files.size() >= 4);
        for (const QString &name : files) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            LoadedFlow loaded = loadFlowFile(f.readAll());
            QVERIFY2(loaded.data.has_value(), qPrintable(name + ": " + loaded.error));
            FlowDocument doc;
            doc.replaceAll(*loaded.data, "open");
            for (const auto &i : doc.validate())
                QVERIFY2(i.severity != Severity::Error,
                         qPrintable(name + ": " + QString::fromStdString(i.message)));
        }
    }
};

QTEST_GUILESS_MAIN(TstFlowDocument)
#include "tst_flowdocument.moc"
