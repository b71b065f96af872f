#include "flowcommands.h"

namespace txdesk::document {

SwapBranchCommand::SwapBranchCommand(FlowDocument &doc, int index, BranchData value,
                                     FlowChange::Kind kind, const QString &text, int mergeId)
    : QUndoCommand(text),
      m_doc(doc),
      m_index(index),
      m_value(std::move(value)),
      m_kind(kind),
      m_mergeId(mergeId)
{}

void SwapBranchCommand::swap()
{
    BranchData current = m_doc.data().branches[m_index];
    m_doc.applyBranch(m_index, m_value, m_kind);
    m_value = std::move(current);
}

bool SwapBranchCommand::mergeWith(const QUndoCommand *other)
{
    auto *o = static_cast<const SwapBranchCommand *>(other);
    if (o->m_index != m_index || m_mergeId < 0)
        return false;
    return true;  // keep our "before" value: one drag is one step
}

InsertBranchCommand::InsertBranchCommand(FlowDocument &doc, int index, BranchData branch,
                                         bool insert, const QString &text)
    : QUndoCommand(text), m_doc(doc), m_index(index), m_branch(std::move(branch)), m_insert(insert)
{}

SwapDataCommand::SwapDataCommand(FlowDocument &doc, FlowData value, FlowChange::Kind kind,
                                 const QString &text)
    : QUndoCommand(text), m_doc(doc), m_value(std::move(value)), m_kind(kind)
{}

void SwapDataCommand::swap()
{
    FlowData current = m_doc.data();
    m_doc.applyData(m_value, {m_kind, {}});
    m_value = std::move(current);
}

}  // namespace txdesk::document
