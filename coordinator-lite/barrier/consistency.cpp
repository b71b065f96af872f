#include "consistency.h"

#include "flow/endpoint.h"

#include <map>
#include <set>

namespace coord::barrier {

using namespace domain;

const char *toString(FindingKind kind)
{
    switch (kind) {
    case FindingKind::UndoneAfterSuccess:
        return "undone after success";
    case FindingKind::ForwardMissing:
        return "forward step missing";
    case FindingKind::NotUndoneAfterRollback:
        return "not undone after rollback";
    case FindingKind::ConfirmedAfterRollback:
        return "confirmed after rollback";
    case FindingKind::UnknownBranch:
        return "unknown branch";
    case FindingKind::UnknownGid:
        return "unknown gid";
    case FindingKind::InFlight:
        return "in flight";
    }
    return "unknown";
}

bool isProblem(FindingKind kind) { return kind != FindingKind::InFlight; }

namespace {

// What took effect for one branch, read from its rows.
struct BranchEffects {
    bool forward = false;  // action / try ran (its own row, not a slot an undo claimed)
    bool undo = false;     // compensate / cancel ran on a forward step that had run
    bool confirm = false;
    bool any = false;
};

BranchEffects effectsOf(const std::vector<const BarrierRow *> &rows)
{
    BranchEffects e;
    bool undoRow = false;
    for (const BarrierRow *r : rows) {
        e.any = true;
        if ((r->op == "action" || r->op == "try") && r->reason == r->op)
            e.forward = true;
        if (r->op == "compensate" || r->op == "cancel")
            undoRow = true;
        if (r->op == "confirm")
            e.confirm = true;
    }
    e.undo = undoRow && e.forward;  // an undo without its forward step was a null compensation
    return e;
}

bool callsParticipant(const Branch &b, const std::string &participant)
{
    for (const Operation &o : b.ops)
        if (!o.endpoint.empty() && flow::participantOf(o.endpoint) == participant)
            return true;
    return false;
}

}  // namespace

std::vector<Finding> inspectGid(const std::string &gid, const std::vector<BarrierRow> &rows,
                                const std::optional<Transaction> &coordinator,
                                const std::string &participant)
{
    std::vector<Finding> out;
    if (!coordinator) {
        out.push_back({gid,
                       {},
                       FindingKind::UnknownGid,
                       std::to_string(rows.size())
                           + " barrier row(s) for a gid the coordinator "
                             "does not know",
                       "resolve by hand: a service called with a gid from elsewhere, or its "
                       "submit was lost"});
        return out;
    }
    const Transaction &tx = *coordinator;
    std::map<std::string, std::vector<const BarrierRow *>> byBranch;
    for (const BarrierRow &r : rows)
        byBranch[r.branchId].push_back(&r);
    for (const auto &[branchId, branchRows] : byBranch)
        if (!tx.findBranch(branchId))
            out.push_back({gid, branchId, FindingKind::UnknownBranch,
                           "rows for a branch the coordinator's record of " + gid + " lacks",
                           "resolve by hand"});
    if (!isFinal(tx.summary.status)) {
        if (!rows.empty())
            out.push_back({gid,
                           {},
                           FindingKind::InFlight,
                           "the transaction is " + toString(tx.summary.status)
                               + ": its rows may still change",
                           "nothing to do"});
        return out;
    }
    const bool tcc = tx.summary.type == TxType::Tcc;
    const bool succeeded = tx.summary.status == TxStatus::Succeeded;
    for (const Branch &b : tx.branches) {
        auto it = byBranch.find(b.id);
        static const std::vector<const BarrierRow *> none;
        const BranchEffects e = effectsOf(it == byBranch.end() ? none : it->second);
        const bool expectedHere = e.any
            || (!participant.empty() && callsParticipant(b, participant));
        if (!expectedHere)
            continue;  // another service's branch
        const char *forward = tcc ? "try" : "action";
        const char *undo = tcc ? "cancel" : "compensate";
        const Operation *finalOp = b.find(tcc ? OpKind::Confirm : OpKind::Action);
        const bool hasFinalStep = finalOp && !finalOp->endpoint.empty();  // DTM's empty URL: none
        if (succeeded) {
            if (e.undo)
                out.push_back({gid, b.id, FindingKind::UndoneAfterSuccess,
                               std::string(undo)
                                   + " took effect although the transaction "
                                     "SUCCEEDED",
                               "resolve by hand: redo the business effect, or compensate the "
                               "others"});
            const bool done = tcc ? e.confirm : e.forward;
            if (!done && hasFinalStep)
                out.push_back({gid, b.id, FindingKind::ForwardMissing,
                               std::string("no ") + (tcc ? "confirm" : "action")
                                   + " row although the transaction SUCCEEDED",
                               "resolve by hand: the participant may not have run it, or runs "
                               "it without the barrier"});
        } else {
            if (e.forward && !e.undo)
                out.push_back({gid, b.id, FindingKind::NotUndoneAfterRollback,
                               std::string(forward) + " took effect but no " + undo
                                   + " row although the transaction rolled back",
                               std::string("re-run the ") + undo
                                   + " (the barrier makes it safe), or resolve by hand"});
            if (tcc && e.confirm)
                out.push_back({gid, b.id, FindingKind::ConfirmedAfterRollback,
                               "confirm took effect although the transaction rolled back",
                               "resolve by hand"});
        }
    }
    return out;
}

}  // namespace coord::barrier
