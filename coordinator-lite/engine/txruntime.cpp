#include "txruntime.h"

#include <functional>
#include <set>

namespace coord::engine {

using namespace domain;

void TxRuntime::computeOrder()
{
    order.clear();
    std::set<std::string> visited;
    std::function<void(const Branch &)> visit = [&](const Branch &b) {
        if (!visited.insert(b.id).second)
            return;
        for (const std::string &a : b.after)
            if (const Branch *dep = tx.findBranch(a))
                visit(*dep);
        order.push_back(b.id);
    };
    for (const Branch &b : tx.branches)
        visit(b);
}

bool TxRuntime::mayHaveStarted(const Branch &b, OpKind firstPhase) const
{
    const Operation *o = b.find(firstPhase);
    if (!o)  // client-driven TCC: the client ran the try itself; a call-less saga step: reached
        return tx.summary.type == TxType::Tcc || tx.dependenciesDone(b, firstPhase);
    if (o->attemptCount > 0 || o->status == OpStatus::Running || o->status == OpStatus::Succeeded
        || o->status == OpStatus::Failed)
        return true;
    auto it = ops.find({b.id, firstPhase});
    return it != ops.end() && (it->second.inFlight || it->second.maybeStarted);
}

std::vector<const Branch *> TxRuntime::dependents(const std::string &branchId) const
{
    std::vector<const Branch *> out;
    for (const Branch &b : tx.branches)
        for (const std::string &a : b.after)
            if (a == branchId)
                out.push_back(&b);
    return out;
}

void TxRuntime::recordOp(storage::OpWrite write)
{
    for (storage::OpWrite &queued : opWrites)
        if (queued.branchId == write.branchId && queued.op == write.op) {
            queued = std::move(write);
            return;
        }
    opWrites.push_back(std::move(write));
}

}  // namespace coord::engine
