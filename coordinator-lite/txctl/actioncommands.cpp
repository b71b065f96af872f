// txctl operator actions: cancel-branch, abort, mark-failed, pause, resume, retry, resolve.
#include "commands.h"

#include "jsonview.h"

#include "client/actioncall.h"

#include <cstdio>
#include <iostream>

namespace txctl {

namespace {

void printPlan(const Cli &cli, const pb::ActionPlan &plan, bool dryRun)
{
    if (cli.json)
        return;
    std::cout << (dryRun ? "plan (dry run, nothing changed): " : "done: ") << plan.summary()
              << "\n";
    for (const auto &o : plan.operations())
        std::printf("  step %d  %-12s %-10s %s\n", o.step(), o.branch_id().c_str(),
                    txctl::opName(o.op()).c_str(), o.endpoint().c_str());
    for (const auto &w : plan.warnings())
        std::cout << "  WARNING: " << w << "\n";
}

}  // namespace

// cancel-branch, abort, mark-failed, pause, resume: GID [BRANCH] --reason R [--dry-run]
int cmdAction(Session &s, coord::domain::OperatorAction action)
{
    auto &args = s.cli().args;
    coord::domain::ActionCommand command;
    command.action = action;
    command.reason = requireReason(args);
    command.dryRun = takeFlag(args, "--dry-run");
    const bool branch = action == coord::domain::OperatorAction::CancelBranch;
    if (args.size() != (branch ? 2u : 1u))
        throw UsageError(s.cli().command + (branch ? " needs GID BRANCH" : " needs GID"));
    command.gid = args[0];
    if (branch)
        command.branchId = args[1];
    pb::ActionReply reply;
    grpc::Status st = coord::client::callAction(s.connection(), command, std::chrono::seconds(60),
                                                &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    if (s.cli().json) {
        Json j;
        j["dry_run"] = command.dryRun;
        j["plan"] = txctl::toJson(reply.plan());
        j["transaction"] = txctl::toJson(reply.transaction());
        std::cout << j.dump() << "\n";
    } else {
        printPlan(s.cli(), reply.plan(), command.dryRun);
    }
    return 0;
}

int cmdRetry(Session &s)
{
    auto &args = s.cli().args;
    pb::RetryRequest req;
    req.set_reason(requireReason(args));
    req.set_dry_run(takeFlag(args, "--dry-run"));
    if (takeFlag(args, "--all")) {
        for (pb::TxStatus status : takeStatuses(args))
            req.mutable_filter()->add_statuses(status);
        if (auto text = takeOption(args, "--text"))
            req.mutable_filter()->set_text(*text);
        req.mutable_filter()->set_stuck_only(takeFlag(args, "--stuck"));
        requireNoMore(args);
    } else {
        if (args.size() != 1)
            throw UsageError("retry needs GID, or --all with filters");
        req.set_gid(args[0]);
    }
    pb::RetryReply reply;
    auto ctx = s.context(std::chrono::seconds(120));
    grpc::Status st = s.admin().Retry(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    if (s.cli().json) {
        Json j;
        j["dry_run"] = req.dry_run();
        j["count"] = reply.count();
        j["gids"] = std::vector<std::string>(reply.gids().begin(), reply.gids().end());
        std::cout << j.dump() << "\n";
    } else {
        std::cout << (req.dry_run() ? "would retry " : "retried ") << reply.count()
                  << " transaction(s)\n";
    }
    return 0;
}

int cmdResolve(Session &s)
{
    auto &args = s.cli().args;
    coord::domain::ActionCommand command;
    command.action = coord::domain::OperatorAction::Resolve;
    command.reason = requireReason(args);
    auto as = takeOption(args, "--as");
    if (!as || (*as != "succeeded" && *as != "skipped"))
        throw UsageError("resolve needs --as succeeded|skipped");
    command.as = *as == "succeeded" ? coord::domain::OpStatus::Succeeded
                                    : coord::domain::OpStatus::Skipped;
    if (args.size() != 3)
        throw UsageError("resolve needs GID BRANCH OP");
    command.gid = args[0];
    command.branchId = args[1];
    auto op = coord::domain::opKindFromString(args[2]);
    if (!op)
        throw UsageError("OP must be action, compensate, try, confirm or cancel");
    command.op = *op;
    pb::ActionReply reply;
    grpc::Status st = coord::client::callAction(s.connection(), command, std::chrono::seconds(60),
                                                &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    if (s.cli().json)
        std::cout << txctl::toJson(reply.transaction()).dump() << "\n";
    else
        printPlan(s.cli(), reply.plan(), false);
    return 0;
}

}  // namespace txctl
