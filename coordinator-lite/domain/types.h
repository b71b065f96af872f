#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The coordinator's vocabulary: transactions, branches, operations, attempts, events.
// Plain values with no protocol or storage dependency; numeric values match txdesk.v1.
namespace coord::domain {

enum class TxType { Saga = 1, Tcc = 2 };
// Which API started a transaction: ours, or DTM's server API (so DTM's own clients).
enum class TxOrigin { Native = 0, DtmHttp = 1, DtmGrpc = 2 };
enum class TxStatus { Prepared = 1, Submitted = 2, Aborting = 3, Succeeded = 4, Failed = 5 };
enum class OpKind { Action = 1, Compensate = 2, Try = 3, Confirm = 4, Cancel = 5 };
enum class OpStatus { Pending = 1, Running = 2, Succeeded = 3, Failed = 4, Skipped = 5 };
enum class AttemptOutcome { Success = 1, Failure = 2, Ongoing = 3, Transient = 4 };
enum class EventKind {
    TxCreated = 1,
    TxStatusChanged = 2,
    OpStatusChanged = 3,
    AttemptFinished = 4,
    OperatorAction = 5
};

std::string toString(TxType type);
std::string toString(TxOrigin origin);  // "native", "dtm-http", "dtm-grpc"
std::string toString(TxStatus status);
std::string toString(OpKind op);
std::string toString(OpStatus status);
std::string toString(AttemptOutcome outcome);
std::optional<TxType> txTypeFromString(std::string_view text);
std::optional<TxStatus> txStatusFromString(std::string_view text);
std::optional<OpKind> opKindFromString(std::string_view text);
bool isFinal(TxStatus status);

struct Attempt {
    int64_t startedMs = 0;
    int64_t endedMs = 0;
    AttemptOutcome outcome = AttemptOutcome::Transient;
    int statusCode = 0;
    std::string error;
    std::string responseExcerpt;
};

struct Operation {
    OpKind op = OpKind::Action;
    std::string endpoint;
    OpStatus status = OpStatus::Pending;
    int attemptCount = 0;
    std::vector<Attempt> attempts;
};

struct Branch {
    std::string id;
    std::string name;
    std::vector<std::string> after;
    bool notRollbackable = false;
    std::string payload;           // bytes sent as the request body
    int64_t requestTimeoutMs = 0;  // 0 = the transaction's
    int maxRetries = -1;           // -1 = the transaction's
    std::vector<Operation> ops;

    Operation *find(OpKind kind);
    const Operation *find(OpKind kind) const;
};

struct TxOptions {
    int64_t timeoutToFailMs = 0;  // 0 = never for SAGA
    int64_t retryIntervalMs = 1000;
    int64_t requestTimeoutMs = 3000;
    int maxRetries = 0;  // 0 = unlimited (SAGA actions)
    bool waitResult = true;
    // Sent with every branch call: HTTP headers, gRPC metadata (DTM's branch_headers).
    std::map<std::string, std::string> branchHeaders;

    bool operator==(const TxOptions &) const = default;
};

struct TxSummary {
    std::string gid;
    TxType type = TxType::Saga;
    TxOrigin origin = TxOrigin::Native;
    TxStatus status = TxStatus::Submitted;
    std::string businessKey;
    std::string flowName;
    int64_t createdMs = 0;
    int64_t updatedMs = 0;
    int64_t finishedMs = 0;
    int64_t nextRetryMs = 0;
    std::string rollbackReason;
    bool retryPaused = false;
    int branchCount = 0;
    std::string stuckReason;
    int retryAttempts = 0;  // attempts so far of the operation being retried (0: none is)
    std::string owner;
    int64_t leaseExpiresMs = 0;
    int64_t lastSeq = 0;
};

struct Transaction {
    TxSummary summary;
    TxOptions options;
    std::vector<Branch> branches;
    std::string flowJson;
    bool clientDriven = false;  // TCC whose tries the client calls (Prepare/RegisterBranch)

    Branch *findBranch(std::string_view id);
    const Branch *findBranch(std::string_view id) const;
    // Whether every branch b runs after has done its `op`. A SAGA step without that operation
    // (DTM's empty URL) is done once it is reached, not before (dtmsvr/trans_type_saga.go
    // shouldRun).
    bool dependenciesDone(const Branch &b, OpKind op) const;
};

struct Event {
    int64_t seq = 0;
    int64_t atMs = 0;
    EventKind kind = EventKind::TxStatusChanged;
    TxSummary summary;
    std::string branchId;
    std::optional<OpKind> op;
    std::optional<OpStatus> opStatus;
    std::optional<Attempt> attempt;
    std::string message;
};

// When a transaction started and ended (finishedMs 0: not yet), for the dashboards' history.
struct TxTiming {
    int64_t id = 0;  // the store's row order: newer transactions have larger ids
    int64_t createdMs = 0;
    int64_t finishedMs = 0;
    TxStatus status = TxStatus::Submitted;
    std::string flowName;
};

struct ListQuery {
    std::vector<TxStatus> statuses;
    std::vector<TxType> types;
    std::string text;
    int64_t createdAfterMs = 0;
    int64_t createdBeforeMs = 0;
    bool stuckOnly = false;
    int64_t cursor = 0;  // list rows older than this row id; 0 = from the newest
    int limit = 100;
};

struct ListPage {
    std::vector<TxSummary> transactions;
    int64_t nextCursor = 0;  // 0 on the last page
    int64_t lastSeq = 0;
};

}  // namespace coord::domain
