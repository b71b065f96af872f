#pragma once

#include "httpbank.h"

#include "txdesk/v1/coordinator.grpc.pb.h"

#include <chrono>
#include <string>
#include <vector>

namespace testsupport {

// A two-branch SAGA moving `amount` from one test-bank account to another (wait_result false:
// Submit answers once the transaction is durable).
std::string transferFlow(HttpBank &bank, const std::string &from, const std::string &to,
                         int amount);

// An integer from the environment (test sizes), or `fallback`.
int envInt(const char *name, int fallback);

// `total` random transfers between accounts acct0..acct<accounts-1>, some larger than a
// balance (they fail and roll back); deterministic for one seed. gids are prefix-<i>.
struct Transfers {
    std::vector<std::string> gids;
    std::vector<std::string> flows;
};
Transfers randomTransfers(HttpBank &bank, const std::string &prefix, int total, int accounts);

// Submits transfer i; true once the coordinator has it durably (ALREADY_EXISTS included).
bool submitTransfer(txdesk::v1::Coordinator::Stub &coordinator, const Transfers &transfers,
                    size_t i);

// Waits (on the event stream, never on a timer) until no transaction is unfinished.
bool waitAllFinished(txdesk::v1::Coordinator::Stub &coordinator, std::chrono::seconds limit);
// The first `limit` unfinished transactions with their lease, next retry and operations (for a
// failure message).
std::string describeUnfinished(txdesk::v1::Coordinator::Stub &coordinator, int limit = 10);

// What the coordinator and the bank's ledger say about a set of transfers.
struct TransferOutcome {
    int succeeded = 0;
    int failed = 0;
    int retries = 0;
    int violations = 0;  // unfinished, half done, money created or lost, an effect applied twice
    std::string firstViolation;
};
TransferOutcome checkTransfers(txdesk::v1::Coordinator::Stub &coordinator, BankLedger &ledger,
                               const std::vector<std::string> &gids, int64_t expectedTotal);

}  // namespace testsupport
