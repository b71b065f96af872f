#pragma once

#include "flowdocument.h"

#include <QUndoCommand>

// The undo commands of the flow document. They hold ids and values, never item pointers;
// undo() and redo() are the same swap.
namespace txdesk::document {

class SwapBranchCommand : public QUndoCommand
{
public:
    SwapBranchCommand(FlowDocument &doc, int index, BranchData value, FlowChange::Kind kind,
                      const QString &text, int mergeId = -1);
    void undo() override { swap(); }
    void redo() override { swap(); }
    int id() const override { return m_mergeId; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    void swap();
    FlowDocument &m_doc;
    int m_index;
    BranchData m_value;
    FlowChange::Kind m_kind;
    int m_mergeId;
};

class InsertBranchCommand : public QUndoCommand
{
public:
    InsertBranchCommand(FlowDocument &doc, int index, BranchData branch, bool insert,
                        const QString &text);
    void undo() override { m_insert ? remove() : add(); }
    void redo() override { m_insert ? add() : remove(); }

private:
    void add() { m_doc.insertBranch(m_index, m_branch); }
    void remove() { m_doc.eraseBranch(m_index); }
    FlowDocument &m_doc;
    int m_index;
    BranchData m_branch;
    bool m_insert;
};

class SwapDataCommand : public QUndoCommand
{
public:
    SwapDataCommand(FlowDocument &doc, FlowData value, FlowChange::Kind kind, const QString &text);
    void undo() override { swap(); }
    void redo() override { swap(); }

private:
    void swap();
    FlowDocument &m_doc;
    FlowData m_value;
    FlowChange::Kind m_kind;
};

}  // namespace txdesk::document
