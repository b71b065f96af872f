#pragma once

#include "httpbank.h"
#include "support/unfinished.h"

#include "txdesk/v1/coordinator.grpc.pb.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace testsupport {

// How a flow reaches the test bank (in this process or another): the URL of one of its methods.
using BankUrl = std::function<std::string(const std::string &method)>;
BankUrl urlsOf(const HttpBank &bank);

// A two-branch transfer of `amount` from one test-bank account to another, as a SAGA
// (action/compensate) or a TCC (try/confirm/cancel); wait_result false: Submit answers once the
// transaction is durable.
std::string transferFlow(const BankUrl &url, const std::string &from, const std::string &to,
                         int amount, bool tcc = false);

// An integer from the environment (test sizes), or `fallback`.
int envInt(const char *name, int fallback);

// `total` random transfers between accounts acct0..acct<accounts-1>, some larger than a
// balance (they fail and roll back); deterministic for one seed. gids are prefix-<i>; with
// `everyOtherTcc` the odd ones are TCCs.
struct Transfers {
    std::vector<std::string> gids;
    std::vector<std::string> flows;
};
Transfers randomTransfers(const BankUrl &url, const std::string &prefix, int total, int accounts,
                          unsigned seed = 20261124, bool everyOtherTcc = false);

// Submits transfer i; true once the coordinator has it durably (ALREADY_EXISTS included).
bool submitTransfer(txdesk::v1::Coordinator::Stub &coordinator, const Transfers &transfers,
                    size_t i);

// What the coordinator and the bank's ledger say about a set of transfers.
struct TransferOutcome {
    int succeeded = 0;
    int failed = 0;
    int retries = 0;
    int violations = 0;  // unfinished, half done, money created or lost or left frozen, an
                         // effect applied twice
    std::string firstViolation;
};
TransferOutcome checkTransfers(txdesk::v1::Coordinator::Stub &coordinator, BankLedger &ledger,
                               const std::vector<std::string> &gids, int64_t expectedTotal);

}  // namespace testsupport
