#pragma once

#include <functional>
#include <optional>
#include <string>

// The sub-transaction barrier's rules (DTM's BranchBarrier), independent of where the barrier
// rows live: idempotence, null compensation, and no hanging.
namespace coord::barrier {

struct BarrierKey {
    std::string transType;
    std::string gid;
    std::string branchId;
    std::string op;  // action, compensate, try, confirm, cancel
};

enum class Verdict {
    Execute,           // first call: run the business code
    Duplicate,         // seen before: answer success, do nothing
    NullCompensation,  // cancel/compensate whose try/action never ran: success, do nothing
    Hanging,           // try/action arriving after its cancel/compensate: refuse, do nothing
};

// Inserts the row (gid, branch, op) with `reason` unless present; returns the reason of the
// row that was already there, or nullopt when it inserted.
using InsertIfAbsent =
    std::function<std::optional<std::string>(const std::string &op, const std::string &reason)>;

// The op whose effect `op` undoes ("try" for "cancel", "action" for "compensate"), or "".
std::string originOp(const std::string &op);

Verdict decide(const BarrierKey &key, const InsertIfAbsent &insert);

const char *toString(Verdict verdict);

}  // namespace coord::barrier
