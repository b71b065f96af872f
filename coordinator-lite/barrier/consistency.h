#pragma once

#include "domain/types.h"

#include <optional>
#include <string>
#include <vector>

// The consistency inspector's judgement: a participant's barrier rows for one gid, held against
// what the coordinator decided for it. Pure: the readers (SQLite, PostgreSQL, MySQL) and the
// coordinator look-ups feed it.
namespace coord::barrier {

// One row of a barrier table (DTM's dtm_barrier.barrier and ours have the same keys).
struct BarrierRow {
    std::string transType;  // saga, tcc
    std::string gid;
    std::string branchId;
    std::string op;      // action, compensate, try, confirm, cancel
    std::string reason;  // the op that wrote the row: differs from op for a slot claimed by an undo
};

enum class FindingKind {
    UndoneAfterSuccess,      // SUCCEEDED, but a compensate/cancel took effect
    ForwardMissing,          // SUCCEEDED, but the action/confirm did not take effect here
    NotUndoneAfterRollback,  // FAILED, but an action/try that took effect was not undone
    ConfirmedAfterRollback,  // FAILED, but a confirm took effect
    UnknownBranch,           // the coordinator has no such branch in this gid
    UnknownGid,              // the coordinator does not know the gid (orphan, or a lost submit)
    InFlight,                // still running: rows are expected to change (shown, not a problem)
};

struct Finding {
    std::string gid;
    std::string branchId;  // empty for a finding about the whole gid
    FindingKind kind = FindingKind::InFlight;
    std::string detail;
    std::string suggestion;  // an operator action, resolve by hand, or nothing to do
};

const char *toString(FindingKind kind);
bool isProblem(FindingKind kind);

// The findings for one gid: its rows in this table and the coordinator's record (nullopt when
// the coordinator does not know the gid). A branch is judged only from the rows it has here,
// unless `participant` (participantOf of its endpoints, e.g. "bank:8081") names this table's
// service: then every branch calling it is expected here too.
std::vector<Finding> inspectGid(const std::string &gid, const std::vector<BarrierRow> &rows,
                                const std::optional<domain::Transaction> &coordinator,
                                const std::string &participant = {});

}  // namespace coord::barrier
