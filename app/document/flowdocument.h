#pragma once

#include "domain/types.h"
#include "flow/flowdefinition.h"

#include <QObject>
#include <QPointF>
#include <QStringList>
#include <QUndoStack>

#include <map>
#include <optional>

namespace txdesk::document {

// One branch as the designer edits it: text fields as typed (the payload may be invalid JSON
// while being edited), plus where it sits on the canvas.
struct BranchData {
    QString id;
    QString name;
    QStringList after;
    std::map<coord::domain::OpKind, QString> endpoints;
    QString payload = QStringLiteral("{}");
    QString payloadBase64;
    bool notRollbackable = false;
    qint64 requestTimeoutMs = 0;
    int maxRetries = -1;
    QPointF pos;

    bool operator==(const BranchData &) const = default;
};

// What the failure-path explorer checks after each path of this flow: queries in the
// participants' databases and JSON documents they serve that must not change, and their barrier
// tables. Kept in the file's layout section ("@explore"), never in the flow the coordinator runs.
struct InvariantData {
    QString dsn;  // with sql: a SQLite path, postgres://…, mysql://…
    QString sql;
    QString url;  // or an HTTP GET whose JSON body must stay equal

    bool operator==(const InvariantData &) const = default;
};
struct ExploreChecks {
    std::vector<InvariantData> invariants;
    QStringList barrierDsns;  // participants' barrier tables (the usual table name)

    bool operator==(const ExploreChecks &) const = default;
};

struct FlowData {
    QString name;
    coord::domain::TxType type = coord::domain::TxType::Saga;
    coord::domain::TxOptions options;
    std::vector<BranchData> branches;
    ExploreChecks explore;

    bool operator==(const FlowData &) const = default;
};

// What changed, in one typed notification (instead of a signal per kind of change).
struct FlowChange {
    enum class Kind {
        Reset,
        FlowChanged,
        BranchAdded,
        BranchRemoved,
        BranchChanged,
        BranchMoved,
        EdgesChanged
    };
    Kind kind = Kind::Reset;
    QString branchId;
};

// A flow being designed. Owns the undo stack; every edit — canvas, property panel, paste,
// import, auto-layout — is a command on it. No widgets, no gRPC.
class FlowDocument : public QObject
{
    Q_OBJECT

public:
    explicit FlowDocument(QObject *parent = nullptr);

    const FlowData &data() const { return m_data; }

    // The file this flow was opened from or last saved to; empty for a new flow and for a
    // sample (a template: saving asks where).
    QString filePath() const { return m_filePath; }
    bool isModified() const { return !m_undo.isClean(); }
    // Starts over with `data` as the unmodified state, without undo history (new, open);
    // `layOut` places branches that have no position yet.
    void reset(const FlowData &data, const QString &filePath, bool layOut = false);
    // What the document holds now is what `filePath` holds.
    void markSaved(const QString &filePath);

    QUndoStack *undoStack() { return &m_undo; }
    const BranchData *branch(const QString &id) const;
    int indexOf(const QString &id) const;
    QString newBranchId() const;  // "b1", "b2", ... not yet used

    // Edits (each pushes one undoable command; invalid edits are refused with false).
    bool addBranch(BranchData branch);
    bool removeBranch(const QString &id);
    void moveBranch(const QString &id, QPointF pos);  // successive moves of one drag merge
    void finishMove();                                // ends the drag's merging
    bool setBranch(const QString &id, const BranchData &after, const QString &text);
    bool addEdge(const QString &from, const QString &to);  // `to` runs after `from`
    bool removeEdge(const QString &from, const QString &to);
    void setFlow(const QString &name, coord::domain::TxType type,
                 const coord::domain::TxOptions &options);
    void autoLayout();
    void setExploreChecks(const ExploreChecks &checks);
    void replaceAll(const FlowData &data, const QString &text);  // import as one step
    // Adds copies of `branches` (ids made unique, ordering kept among them, placed `offset`
    // away) as one undo step; returns the new ids.
    QStringList paste(const std::vector<BranchData> &branches, QPointF offset);

    // The flow as the coordinator reads it; issues from the shared validator plus the editor's
    // own (payload text that is not JSON). Problems that stop it being built are errors.
    std::vector<coord::flow::FlowIssue> validate() const;
    std::optional<coord::flow::FlowDefinition> toDefinition(
        std::vector<coord::flow::FlowIssue> *issues) const;

    // Raw state changes, for the undo commands only.
    void applyData(const FlowData &data, const FlowChange &change);
    void applyBranch(int index, const BranchData &branch, FlowChange::Kind kind);
    void insertBranch(int index, const BranchData &branch);
    void eraseBranch(int index);
    int moveMergeId() const { return m_moveMergeId; }

signals:
    void changed(const txdesk::document::FlowChange &change);
    // The file path or the modified state changed (the designer's title).
    void fileStateChanged();

private:
    FlowData m_data;
    QString m_filePath;
    QUndoStack m_undo;
    int m_moveMergeId = 1;
};

}  // namespace txdesk::document
