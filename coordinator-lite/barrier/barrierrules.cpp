#include "barrierrules.h"

namespace coord::barrier {

std::string originOp(const std::string &op)
{
    if (op == "cancel")
        return "try";
    if (op == "compensate")
        return "action";
    return {};
}

Verdict decide(const BarrierKey &key, const InsertIfAbsent &insert)
{
    const std::string origin = originOp(key.op);
    // An undo first claims its origin's slot: if that slot was free, the origin never ran (and
    // now never will: a late try/action finds the slot taken).
    bool originWasFree = !origin.empty() && !insert(origin, key.op).has_value();
    std::optional<std::string> existing = insert(key.op, key.op);
    if (originWasFree)
        return Verdict::NullCompensation;
    if (!existing)
        return Verdict::Execute;
    if (origin.empty() && *existing != key.op)
        return Verdict::Hanging;  // the slot was claimed by this op's cancel/compensate
    return Verdict::Duplicate;
}

const char *toString(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Execute:
        return "executed";
    case Verdict::Duplicate:
        return "duplicate ignored";
    case Verdict::NullCompensation:
        return "null compensation";
    case Verdict::Hanging:
        return "refused: arrived after its cancel";
    }
    return "unknown";
}

}  // namespace coord::barrier
