#include "transfers.h"

#include "bankledger.h"

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <random>

namespace testsupport {

namespace pb = txdesk::v1;

BankUrl urlsOf(const HttpBank &bank)
{
    return [&bank](const std::string &method) { return bank.url(method); };
}

namespace {

nlohmann::json branch(const char *id, const BankUrl &url,
                      std::vector<std::pair<const char *, const char *>> ops,
                      const std::string &account, int amount)
{
    nlohmann::json b = {{"id", id}, {"payload", {{"account", account}, {"amount", amount}}}};
    for (const auto &[op, method] : ops)
        b[op] = url(method);
    return b;
}

}  // namespace

std::string transferFlow(const BankUrl &url, const std::string &from, const std::string &to,
                         int amount, bool tcc)
{
    nlohmann::json out = tcc
        ? branch(
            "out", url,
            {{"try", "TransOutTry"}, {"confirm", "TransOutConfirm"}, {"cancel", "TransOutCancel"}},
            from, amount)
        : branch("out", url, {{"action", "TransOut"}, {"compensate", "TransOutCompensate"}}, from,
                 amount);
    nlohmann::json in = tcc
        ? branch(
            "in", url,
            {{"try", "TransInTry"}, {"confirm", "TransInConfirm"}, {"cancel", "TransInCancel"}}, to,
            amount)
        : branch("in", url, {{"action", "TransIn"}, {"compensate", "TransInCompensate"}}, to,
                 amount);
    in["after"] = {"out"};
    nlohmann::json flow = {{"name", tcc ? "crash-transfer-tcc" : "crash-transfer"},
                           {"type", tcc ? "TCC" : "SAGA"},
                           {"options", {{"retry_interval_ms", 100}, {"wait_result", false}}},
                           {"branches", {out, in}}};
    return flow.dump();
}

int envInt(const char *name, int fallback)
{
    const char *v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

Transfers randomTransfers(const BankUrl &url, const std::string &prefix, int total, int accounts,
                          unsigned seed, bool everyOtherTcc)
{
    std::mt19937 rng(seed);
    Transfers t;
    for (int i = 0; i < total; ++i) {
        int from = rng() % accounts, to = (from + 1 + rng() % (accounts - 1)) % accounts;
        int amount = 1 + static_cast<int>(rng() % 400);
        t.gids.push_back(prefix + "-" + std::to_string(i));
        t.flows.push_back(transferFlow(url, "acct" + std::to_string(from),
                                       "acct" + std::to_string(to), amount,
                                       everyOtherTcc && i % 2 == 1));
    }
    return t;
}

bool submitTransfer(pb::Coordinator::Stub &coordinator, const Transfers &transfers, size_t i)
{
    pb::SubmitRequest req;
    req.set_gid(transfers.gids[i]);
    req.set_flow_json(transfers.flows[i]);
    pb::SubmitReply reply;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    grpc::Status s = coordinator.Submit(&ctx, req, &reply);
    return s.ok() || s.error_code() == grpc::StatusCode::ALREADY_EXISTS;
}

TransferOutcome checkTransfers(pb::Coordinator::Stub &coordinator, BankLedger &ledger,
                               const std::vector<std::string> &gids, int64_t expectedTotal)
{
    TransferOutcome o;
    auto violation = [&](const std::string &what) {
        if (o.violations++ == 0)
            o.firstViolation = what;
    };
    for (const std::string &gid : gids) {
        pb::GetRequest req;
        req.set_gid(gid);
        pb::Transaction tx;
        grpc::ClientContext ctx;
        if (!coordinator.Get(&ctx, req, &tx).ok()) {
            violation(gid + " was lost");
            continue;
        }
        for (const auto &b : tx.branches())
            for (const auto &op : b.ops())
                o.retries += std::max(0, op.attempt_count() - 1);
        const int64_t out = ledger.branchDelta(gid, "out"), in = ledger.branchDelta(gid, "in");
        if (tx.summary().status() == pb::SUCCEEDED) {
            ++o.succeeded;
            if (!(out < 0 && in == -out))
                violation(gid + " succeeded but moved " + std::to_string(out) + "/"
                          + std::to_string(in));
        } else if (tx.summary().status() == pb::FAILED) {
            ++o.failed;
            if (!(out == 0 && in == 0))
                violation(gid + " failed but left " + std::to_string(out) + "/"
                          + std::to_string(in));
        } else {
            violation(gid + " is unfinished");
        }
    }
    if (ledger.totalBalance() != expectedTotal)
        violation("total balance " + std::to_string(ledger.totalBalance())
                  + " != " + std::to_string(expectedTotal));
    if (ledger.maxEffectsPerOperation() > 1)
        violation("an operation took effect twice");
    if (ledger.totalFrozen() != 0)
        violation("TCC reservations left frozen: " + std::to_string(ledger.totalFrozen()));
    return o;
}

}  // namespace testsupport
