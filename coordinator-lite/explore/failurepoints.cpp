#include "failurepoints.h"

#include <absl/strings/str_cat.h>

namespace coord::explore {

using domain::FaultKind;
using domain::OpKind;
using domain::TxStatus;

namespace {

// Only an action or a try may answer "failure": a compensate, confirm or cancel must succeed
// in the end (DTM's rule), so failing them is not a path the flow can take.
bool mayFail(OpKind op) { return op == OpKind::Action || op == OpKind::Try; }

bool isUndo(OpKind op) { return op == OpKind::Compensate || op == OpKind::Cancel; }

}  // namespace

std::vector<FailurePoint> failurePoints(const flow::FlowDefinition &flow)
{
    std::vector<FailurePoint> points;
    const std::vector<std::string> order = flow::topologicalOrder(flow);
    if (order.empty())
        return points;
    const OpKind firstPhase = flow::firstPhaseOp(flow.type);
    // The branch whose first phase fails to force a rollback: the last to run, whose failure
    // comes after every other branch's first phase.
    const std::string &last = order.back();
    for (const std::string &id : order) {
        const flow::FlowBranch &branch = *flow.find(id);
        for (OpKind op : flow::opsFor(flow.type)) {
            if (!branch.endpoints.count(op))
                continue;
            if (isUndo(op) && branch.notRollbackable)
                continue;
            std::vector<FaultKind> kinds;
            if (mayFail(op))
                kinds.push_back(FaultKind::BusinessFailure);
            kinds.insert(kinds.end(),
                         {FaultKind::TransientError, FaultKind::Slow, FaultKind::AnswerLost});
            for (FaultKind kind : kinds) {
                FailurePoint p;
                p.fault = {id, op, kind, kind == FaultKind::TransientError ? kTransientRepeats : 1};
                p.id = absl::StrCat(id, "/", toString(op), ": ", toString(kind));
                p.faults = {p.fault};
                if (kind == FaultKind::BusinessFailure)
                    p.expected = TxStatus::Failed;
                if (isUndo(op)) {
                    p.expected = TxStatus::Failed;
                    p.rollbackForcedBy = absl::StrCat(last, "/", toString(firstPhase));
                    p.faults.push_back({last, firstPhase, FaultKind::BusinessFailure, 1});
                }
                points.push_back(std::move(p));
            }
        }
    }
    return points;
}

}  // namespace coord::explore
