#pragma once

#include "types.h"

#include <string>
#include <vector>

// Operator actions, their plans and the audit trail.
namespace coord::domain {

enum class Role { Viewer = 1, Operator = 2, Admin = 3 };
std::string toString(Role role);

// Who is calling: a configured token's name and role ("local" with full rights when the
// coordinator runs without authentication on loopback).
struct Actor {
    std::string who = "local";
    Role role = Role::Admin;
};

enum class OperatorAction { CancelBranch, Abort, MarkFailed, Pause, Resume, Retry, Resolve };
std::string toString(OperatorAction action);
Role requiredRole(OperatorAction action);

struct ActionCommand {
    OperatorAction action = OperatorAction::Abort;
    std::string gid;
    std::string branchId;               // CancelBranch, Resolve
    OpKind op = OpKind::Action;         // Resolve
    OpStatus as = OpStatus::Succeeded;  // Resolve: Succeeded or Skipped
    std::string reason;
    bool dryRun = false;
    Actor actor;
};

struct PlannedOperation {
    int step = 0;
    std::string branchId;
    OpKind op = OpKind::Action;
    std::string endpoint;
};

struct ActionPlan {
    std::vector<PlannedOperation> operations;
    std::vector<std::string> notRollbackable;
    TxStatus resultingStatus = TxStatus::Submitted;
    std::string summary;
    std::vector<std::string> warnings;
};

struct ActionOutcome {
    ActionPlan plan;
    Transaction transaction;
};

struct AuditEntry {
    int64_t id = 0;
    int64_t atMs = 0;
    std::string who;
    std::string role;
    std::string action;
    std::string gid;
    std::string branchId;
    std::string reason;
    std::string stateBefore;
    std::string stateAfter;
    std::string outcome = "ok";
    std::string detail;
};

struct AuditQuery {
    std::string gid;
    int64_t beforeId = 0;
    int limit = 100;
};

// Why `action` cannot be applied to `tx` in its current state, or "" when it can. (The engine
// also refuses a Resolve of an operation being called right now; the console shows the same
// rules on its buttons.)
std::string whyNot(const Transaction &tx, OperatorAction action, const std::string &branchId = {},
                   OpKind op = OpKind::Action, OpStatus as = OpStatus::Succeeded);

// Why an unfinished transaction is not progressing, and what an operator can do about it.
namespace stuck {
inline constexpr const char *kPaused = "PAUSED";
inline constexpr const char *kMustSucceedFailed = "MUST_SUCCEED_FAILED";
inline constexpr const char *kUnreachable = "PARTICIPANT_UNREACHABLE";
inline constexpr const char *kRepeatedError = "REPEATED_ERROR";
inline constexpr const char *kManyAttempts = "MANY_ATTEMPTS";
inline constexpr const char *kPreparedTimeout = "PREPARED_TIMEOUT";
inline constexpr const char *kTooOld = "TOO_OLD";
std::string suggestedAction(const std::string &reason);
}  // namespace stuck

struct StuckThresholds {
    int64_t maxAgeMs = 10 * 60 * 1000;
    int manyAttempts = 10;
    int repeatedErrors = 3;
    int unreachableAttempts = 3;
};

// The stuck reason of an unfinished transaction, or "" (see docs/design.md "Operator actions").
std::string stuckReasonOf(const Transaction &tx, int64_t nowMs, const StuckThresholds &limits,
                          int64_t preparedTimeoutMs);

// An operation tried and answered "not yet" (ONGOING, a transient error, a must-succeed
// failure): not done, attempted at least once.
bool isBeingRetried(const Operation &op);
// The attempts so far of the operation being retried, the most of any; 0 when none is
// (TxSummary::retryAttempts).
int retryAttemptsOf(const Transaction &tx);

}  // namespace coord::domain
