#include "transfers.h"

#include "bankledger.h"

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <random>

namespace testsupport {

namespace pb = txdesk::v1;

std::string transferFlow(HttpBank &bank, const std::string &from, const std::string &to,
                         int amount)
{
    nlohmann::json flow = {
        {"name", "crash-transfer"},
        {"type", "SAGA"},
        {"options", {{"retry_interval_ms", 100}, {"wait_result", false}}},
        {"branches",
         {{{"id", "out"},
           {"action", bank.url("TransOut")},
           {"compensate", bank.url("TransOutCompensate")},
           {"payload", {{"account", from}, {"amount", amount}}}},
          {{"id", "in"},
           {"after", {"out"}},
           {"action", bank.url("TransIn")},
           {"compensate", bank.url("TransInCompensate")},
           {"payload", {{"account", to}, {"amount", amount}}}}}}};
    return flow.dump();
}

int envInt(const char *name, int fallback)
{
    const char *v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

Transfers randomTransfers(HttpBank &bank, const std::string &prefix, int total, int accounts)
{
    std::mt19937 rng(20261124);
    Transfers t;
    for (int i = 0; i < total; ++i) {
        int from = rng() % accounts, to = (from + 1 + rng() % (accounts - 1)) % accounts;
        int amount = 1 + static_cast<int>(rng() % 400);
        t.gids.push_back(prefix + "-" + std::to_string(i));
        t.flows.push_back(transferFlow(bank, "acct" + std::to_string(from),
                                       "acct" + std::to_string(to), amount));
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

bool waitAllFinished(pb::Coordinator::Stub &coordinator, std::chrono::seconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        pb::ListRequest req;
        req.add_statuses(pb::PREPARED);
        req.add_statuses(pb::SUBMITTED);
        req.add_statuses(pb::ABORTING);
        req.set_limit(1);
        pb::ListReply reply;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        if (coordinator.List(&ctx, req, &reply).ok() && reply.transactions().empty())
            return true;
        grpc::ClientContext watch;
        watch.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
        pb::WatchRequest from;
        from.set_from_seq(reply.last_seq());
        auto reader = coordinator.Watch(&watch, from);
        pb::Event e;
        while (reader->Read(&e)) {
        }
        reader->Finish().IgnoreError();
    }
    return false;
}

std::string describeUnfinished(pb::Coordinator::Stub &coordinator, int limit)
{
    pb::ListRequest req;
    req.add_statuses(pb::PREPARED);
    req.add_statuses(pb::SUBMITTED);
    req.add_statuses(pb::ABORTING);
    req.set_limit(limit);
    pb::ListReply reply;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (auto s = coordinator.List(&ctx, req, &reply); !s.ok())
        return "cannot list the unfinished transactions: " + s.error_message();
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    std::string out = "unfinished:";
    for (const auto &t : reply.transactions()) {
        out += "\n  " + t.gid() + " status=" + pb::TxStatus_Name(t.status()) + " owner="
               + t.owner() + " next_retry_in_ms=" + std::to_string(t.next_retry_ms() - now)
               + " lease_in_ms=" + std::to_string(t.lease_expires_ms() - now)
               + " stuck=" + t.stuck_reason();
        pb::GetRequest get;
        get.set_gid(t.gid());
        pb::Transaction tx;
        grpc::ClientContext getCtx;
        getCtx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        if (coordinator.Get(&getCtx, get, &tx).ok())
            for (const auto &b : tx.branches())
                for (const auto &o : b.ops())
                    out += " " + b.id() + "/" + pb::OpKind_Name(o.op()) + ":"
                           + pb::OpStatus_Name(o.status()) + "x" + std::to_string(o.attempt_count());
    }
    return out;
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
                violation(gid + " succeeded but moved " + std::to_string(out) + "/" +
                          std::to_string(in));
        } else if (tx.summary().status() == pb::FAILED) {
            ++o.failed;
            if (!(out == 0 && in == 0))
                violation(gid + " failed but left " + std::to_string(out) + "/" +
                          std::to_string(in));
        } else {
            violation(gid + " is unfinished");
        }
    }
    if (ledger.totalBalance() != expectedTotal)
        violation("total balance " + std::to_string(ledger.totalBalance()) + " != " +
                  std::to_string(expectedTotal));
    if (ledger.maxEffectsPerOperation() > 1)
        violation("an operation took effect twice");
    return o;
}

}  // namespace testsupport
