#include "planner.h"

#include "flow/flowdefinition.h"

#include <set>

namespace coord::engine {

using namespace domain;

domain::ActionPlan planFrom(const TxRuntime &rt, int64_t nowMs, const ProcessorConfig &config)
{
    TxRuntime sim;
    sim.tx = rt.tx;
    sim.order = rt.order;
    sim.ops = rt.ops;
    for (auto &[key, st] : sim.ops) {
        st.nextAttemptMs = 0;  // a plan ignores waiting: what runs, in which order
        if (st.inFlight) {     // calls under way are assumed to land successfully
            st.inFlight = false;
            if (Branch *b = sim.tx.findBranch(key.first))
                if (Operation *o = b->find(key.second))
                    o->status = OpStatus::Succeeded, o->attemptCount++;
        }
    }
    ActionPlan plan;
    int step = 0;
    for (int guard = 0; guard < 100000; ++guard) {
        if (isFinal(sim.tx.summary.status))
            break;
        Step s;
        s.now = nowMs;
        if (sim.tx.summary.type == TxType::Saga)
            advanceSaga(sim, s, config);
        else
            advanceTcc(sim, s, config);
        if (s.newStatus) {
            sim.tx.summary.status = *s.newStatus;
            continue;
        }
        if (s.calls.empty())
            break;  // waiting on something a plan cannot foresee (a client, a timeout)
        ++step;
        for (const auto &[branchId, op] : s.calls) {
            Branch *b = sim.tx.findBranch(branchId);
            Operation *o = b ? b->find(op) : nullptr;
            if (!o)
                continue;
            plan.operations.push_back({step, branchId, op, o->endpoint});
            o->status = OpStatus::Succeeded;
            o->attemptCount++;
        }
    }
    plan.resultingStatus = sim.tx.summary.status;
    // Branches whose first phase may have run and whose effects cannot be undone.
    OpKind first = flow::firstPhaseOp(rt.tx.summary.type);
    for (const Branch &b : rt.tx.branches)
        if ((b.notRollbackable || !b.find(flow::undoOp(rt.tx.summary.type)))
            && rt.mayHaveStarted(b, first))
            plan.notRollbackable.push_back(b.id);
    return plan;
}

}  // namespace coord::engine
