#include "pathverdict.h"

#include "flow/flowdefinition.h"

#include <absl/strings/str_cat.h>

#include <algorithm>

namespace coord::explore {

using domain::AttemptOutcome;
using domain::OpKind;
using domain::OpStatus;
using domain::TxStatus;
using domain::TxType;

namespace {

bool tookEffect(const domain::Operation *o) { return o && o->status == OpStatus::Succeeded; }

bool wasCalled(const domain::Operation *o) { return o && o->attemptCount > 0; }

// The end of the attempt that succeeded, for ordering the undos.
int64_t successMs(const domain::Operation &o)
{
    for (auto a = o.attempts.rbegin(); a != o.attempts.rend(); ++a)
        if (a->outcome == AttemptOutcome::Success)
            return a->endedMs;
    return 0;
}

bool reached(const domain::Transaction &tx, const domain::FaultRule &fault)
{
    const domain::Branch *b = tx.findBranch(fault.branchId);
    const domain::Operation *o = b ? b->find(fault.op) : nullptr;
    if (!o)
        return false;
    return std::any_of(o->attempts.begin(), o->attempts.end(), [](const domain::Attempt &a) {
        return a.error.find("(injected: ") != std::string::npos;
    });
}

// Forward and undo operations where the end state says only one of them may have run.
void checkSemantics(const domain::Transaction &tx, std::vector<std::string> &problems)
{
    const TxType type = tx.summary.type;
    const bool tcc = type == domain::TxType::Tcc;
    const OpKind first = flow::firstPhaseOp(type), undo = flow::undoOp(type);
    for (const domain::Branch &b : tx.branches) {
        const domain::Operation *forward = b.find(tcc ? OpKind::Confirm : first);
        const domain::Operation *back = b.find(undo);
        if (tx.summary.status == TxStatus::Succeeded) {
            if (forward && !tookEffect(forward))
                problems.push_back(absl::StrCat(b.id, "/", toString(forward->op),
                                                " did not take effect in a succeeded ",
                                                toString(type)));
            if (tookEffect(back))
                problems.push_back(absl::StrCat(b.id, "/", toString(undo), " ran in a succeeded ",
                                                toString(type)));
        } else if (tx.summary.status == TxStatus::Failed) {
            if (tcc && tookEffect(forward))
                problems.push_back(absl::StrCat(b.id, "/confirm took effect in a cancelled TCC"));
            const bool started = wasCalled(b.find(first));
            if (started && back && !b.notRollbackable && !tookEffect(back))
                problems.push_back(absl::StrCat(b.id, "/", toString(first), " was not undone (",
                                                b.id, "/", toString(undo), " ",
                                                toString(back->status), ")"));
        }
    }
}

}  // namespace

std::string PathResult::statusText() const
{
    if (!record)
        return "not started";
    return finished ? toString(record->summary.status) : "unfinished";
}

void judge(PathResult &path, const domain::Transaction &record)
{
    path.record = record;
    path.finished = domain::isFinal(record.summary.status);
    path.durationMs = record.summary.updatedMs - record.summary.createdMs;
    path.attempts = 0;
    std::vector<std::pair<int64_t, std::string>> undos;
    for (const domain::Branch &b : record.branches)
        for (const domain::Operation &o : b.ops) {
            path.attempts += o.attemptCount;
            if ((o.op == OpKind::Compensate || o.op == OpKind::Cancel) && tookEffect(&o))
                undos.emplace_back(successMs(o), absl::StrCat(b.id, "/", toString(o.op)));
        }
    std::sort(undos.begin(), undos.end());
    path.undone.clear();
    for (auto &[at, name] : undos)
        path.undone.push_back(std::move(name));

    if (!path.finished) {
        path.problems.push_back(absl::StrCat("did not end: still ", toString(record.summary.status),
                                             record.summary.stuckReason.empty()
                                                 ? std::string()
                                                 : " (" + record.summary.stuckReason + ")"));
        return;
    }
    if (record.summary.status != path.point.expected)
        path.problems.push_back(absl::StrCat(
            "ended ", toString(record.summary.status),
            record.summary.rollbackReason.empty() ? "" : " (" + record.summary.rollbackReason + ")",
            "; the flow promises ", toString(path.point.expected), " for this failure"));
    checkSemantics(record, path.problems);
    if (!reached(record, path.point.fault))
        path.problems.push_back(absl::StrCat("the fault was never reached: no ",
                                             path.point.fault.branchId, "/",
                                             toString(path.point.fault.op), " call was made"));
}

}  // namespace coord::explore
