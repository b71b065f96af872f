// txctl: the command line for operators and scripts.
#include "jsonview.h"

#include "auth/tokenhash.h"
#include "client/actioncall.h"
#include "client/connection.h"
#include "domain/defaultaddress.h"
#include "domain/types.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

namespace pb = txdesk::v1;
using txctl::Json;

constexpr const char *kUsage =
    "usage: txctl [--addr HOST:PORT] [--token T] COMMAND [ARGS] [--json]\n"
    "commands:\n"
    "  ping                          check the coordinator answers\n"
    "  list [--status S] [--stuck] [--limit N] [--text T]\n"
    "                                list transactions, newest first\n"
    "  submit FILE [--gid G] [--business-key K] [--payload-override JSON] [--wait]\n"
    "                                submit a .txflow.json flow; --wait prints the final state\n"
    "  get GID                       one transaction with its branches, operations, attempts\n"
    "  watch [--from SEQ]            stream events (replays from SEQ, then live)\n"
    "operator actions (each needs --reason R; destructive ones take --dry-run for the plan):\n"
    "  cancel-branch GID BRANCH      force-cancel a branch and roll the transaction back\n"
    "  abort GID                     roll back with compensation\n"
    "  retry GID | retry --all [--status S] [--text T]   retry now (reset the backoff)\n"
    "  pause GID | resume GID        stop / restart retries\n"
    "  resolve GID BRANCH OP --as succeeded|skipped      settle an operation by hand\n"
    "  mark-failed GID               admin: FAILED without compensation\n"
    "  audit [--gid G] [--limit N]   the audit log, newest first\n"
    "  hash-token TOKEN              SHA-256 of a token, for auth.tokens in the config\n"
    "environment: TXDESK_ADDR (default ";

std::string usage()
{
    return std::string(kUsage) + coord::domain::kDefaultAddress + "), TXDESK_TOKEN\n";
}

struct Cli {
    std::string addr;
    std::string token;
    std::string tlsCa;
    bool json = false;
    std::string command;
    std::vector<std::string> args;  // command arguments, flags included
};

class UsageError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// Pulls `--name VALUE` out of args; returns nullopt when absent.
std::optional<std::string> takeOption(std::vector<std::string> &args, const std::string &name)
{
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == name) {
            if (i + 1 >= args.size())
                throw UsageError(name + " needs a value");
            std::string v = args[i + 1];
            args.erase(args.begin() + i, args.begin() + i + 2);
            return v;
        }
        if (args[i].rfind(name + "=", 0) == 0) {
            std::string v = args[i].substr(name.size() + 1);
            args.erase(args.begin() + i);
            return v;
        }
    }
    return std::nullopt;
}

bool takeFlag(std::vector<std::string> &args, const std::string &name)
{
    for (size_t i = 0; i < args.size(); ++i)
        if (args[i] == name) {
            args.erase(args.begin() + i);
            return true;
        }
    return false;
}

void requireNoMore(const std::vector<std::string> &args)
{
    if (!args.empty())
        throw UsageError("unexpected argument " + args.front());
}

std::string readFile(const std::string &path, const std::string &what)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError("cannot read " + what + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// One status name, any case (`--status failed`), as list and retry --all take it.
pb::TxStatus parseStatus(const std::string &name)
{
    std::string upper;
    for (char c : name)
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    pb::TxStatus value;
    if (!pb::TxStatus_Parse(upper, &value) || value == pb::TX_STATUS_UNSPECIFIED)
        throw UsageError("--status: unknown status " + name
                         + " (PREPARED, SUBMITTED, ABORTING, SUCCEEDED, FAILED)");
    return value;
}

// Every --status S given, in order.
std::vector<pb::TxStatus> takeStatuses(std::vector<std::string> &args)
{
    std::vector<pb::TxStatus> statuses;
    while (auto status = takeOption(args, "--status"))
        statuses.push_back(parseStatus(*status));
    return statuses;
}

coord::client::ConnectionOptions connectionOptions(const Cli &cli)
{
    coord::client::ConnectionOptions options;
    options.address = cli.addr;
    options.token = cli.token;
    if (!cli.tlsCa.empty())
        options.caPem = readFile(cli.tlsCa, "--tls-ca ");
    return options;
}

class Session
{
public:
    explicit Session(const Cli &cli) : m_cli(cli), m_connection(connectionOptions(cli)) {}

    coord::client::Connection &connection() { return m_connection; }
    pb::Admin::Stub &admin() { return m_connection.admin(); }
    pb::Coordinator::Stub &stub() { return m_connection.coordinator(); }
    // A call context with the token and, unless zero, a deadline.
    std::unique_ptr<grpc::ClientContext> context(std::chrono::seconds timeout) const
    {
        return m_connection.context(timeout);
    }
    Cli &cli() { return m_cli; }

private:
    Cli m_cli;
    coord::client::Connection m_connection;
};

int fail(const Cli &cli, const grpc::Status &status)
{
    std::cerr << "txctl " << cli.command << ": " << status.error_message();
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE)
        std::cerr << " (is coordinator-lite running at " << cli.addr << "?)";
    std::cerr << " [code " << status.error_code() << "]\n";
    return 1;
}

int cmdPing(Session &s)
{
    requireNoMore(s.cli().args);
    pb::PingRequest req;
    pb::PingReply reply;
    auto ctx = s.context(std::chrono::seconds(5));
    auto t0 = std::chrono::steady_clock::now();
    grpc::Status st = s.stub().Ping(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - t0)
                  .count();
    if (s.cli().json) {
        Json j;
        j["addr"] = s.cli().addr;
        j["version"] = reply.version();
        j["instance_id"] = reply.instance_id();
        j["last_seq"] = reply.last_seq();
        j["round_trip_us"] = us;
        std::cout << j.dump() << "\n";
    } else {
        std::cout << "coordinator-lite " << reply.version() << " at " << s.cli().addr
                  << " (instance " << reply.instance_id() << ", last event " << reply.last_seq()
                  << ") answered in " << us / 1000.0 << " ms\n";
    }
    return 0;
}

int cmdList(Session &s)
{
    const Cli &cli = s.cli();
    auto &args = s.cli().args;
    pb::ListRequest req;
    for (pb::TxStatus status : takeStatuses(args))
        req.add_statuses(status);
    if (auto limit = takeOption(args, "--limit")) {
        char *end = nullptr;
        long n = std::strtol(limit->c_str(), &end, 10);
        if (!end || *end || n <= 0 || n > 10000)
            throw UsageError("--limit must be a number between 1 and 10000");
        req.set_limit(static_cast<int>(n));
    }
    if (auto text = takeOption(args, "--text"))
        req.set_text(*text);
    req.set_stuck_only(takeFlag(args, "--stuck"));
    requireNoMore(args);

    pb::ListReply reply;
    auto ctx = s.context(std::chrono::seconds(30));
    grpc::Status st = s.stub().List(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(cli, st);
    if (cli.json) {
        Json j;
        Json list = Json::array();
        for (const auto &t : reply.transactions())
            list.push_back(txctl::toJson(t));
        j["transactions"] = std::move(list);
        j["next_cursor"] = reply.next_cursor();
        std::cout << j.dump() << "\n";
        return 0;
    }
    if (reply.transactions().empty()) {
        std::cout << "no transactions\n";
        return 0;
    }
    std::printf("%-36s %-5s %-10s %-8s %s\n", "GID", "TYPE", "STATUS", "BRANCHES", "STUCK");
    for (const auto &t : reply.transactions())
        std::printf("%-36s %-5s %-10s %-8d %s\n", t.gid().c_str(),
                    txctl::typeName(t.type()).c_str(), txctl::statusName(t.status()).c_str(),
                    t.branch_count(), t.stuck_reason().c_str());
    return 0;
}

void printTransaction(const Cli &cli, const pb::Transaction &t)
{
    if (cli.json) {
        std::cout << txctl::toJson(t).dump() << "\n";
        return;
    }
    const auto &s = t.summary();
    std::cout << "gid      " << s.gid() << "\n"
              << "type     " << txctl::typeName(s.type()) << "\n"
              << "status   " << txctl::statusName(s.status()) << "\n";
    if (!s.flow_name().empty())
        std::cout << "flow     " << s.flow_name() << "\n";
    if (!s.business_key().empty())
        std::cout << "key      " << s.business_key() << "\n";
    if (!s.rollback_reason().empty())
        std::cout << "reason   " << s.rollback_reason() << "\n";
    if (!s.stuck_reason().empty())
        std::cout << "stuck    " << s.stuck_reason() << "\n";
    for (const auto &b : t.branches()) {
        std::cout << "branch " << b.id() << (b.name().empty() ? "" : " (" + b.name() + ")") << "\n";
        for (const auto &o : b.ops())
            std::printf("  %-10s %-9s %2d attempt(s)  %s\n", txctl::opName(o.op()).c_str(),
                        txctl::opStatusName(o.status()).c_str(), o.attempt_count(),
                        o.attempts().empty() ? "" : o.attempts().rbegin()->error().c_str());
    }
}

int cmdSubmit(Session &s)
{
    auto &args = s.cli().args;
    pb::SubmitRequest req;
    if (auto gid = takeOption(args, "--gid"))
        req.set_gid(*gid);
    if (auto key = takeOption(args, "--business-key"))
        req.set_business_key(*key);
    if (auto o = takeOption(args, "--payload-override"))
        req.set_payload_override_json(*o);
    long timeout = 120;
    if (auto t = takeOption(args, "--timeout"))
        timeout = std::strtol(t->c_str(), nullptr, 10);
    req.set_wait(takeFlag(args, "--wait"));
    if (args.size() != 1)
        throw UsageError("submit needs exactly one FILE");
    req.set_flow_json(readFile(args.front(), ""));
    pb::SubmitReply reply;
    auto ctx = s.context(std::chrono::seconds(timeout));
    grpc::Status st = s.stub().Submit(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    if (req.wait() || s.cli().json)
        printTransaction(s.cli(), reply.transaction());
    else
        std::cout << "submitted " << reply.transaction().summary().gid() << " ("
                  << txctl::statusName(reply.transaction().summary().status()) << ")\n";
    return 0;
}

int cmdGet(Session &s)
{
    auto &args = s.cli().args;
    if (args.size() != 1)
        throw UsageError("get needs exactly one GID");
    pb::GetRequest req;
    req.set_gid(args.front());
    pb::Transaction reply;
    auto ctx = s.context(std::chrono::seconds(30));
    grpc::Status st = s.stub().Get(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    printTransaction(s.cli(), reply);
    return 0;
}

int cmdWatch(Session &s)
{
    auto &args = s.cli().args;
    pb::WatchRequest req;
    if (auto from = takeOption(args, "--from")) {
        char *end = nullptr;
        long long v = std::strtoll(from->c_str(), &end, 10);
        if (!end || *end || v < 0)
            throw UsageError("--from must be a sequence number >= 0");
        req.set_from_seq(v);
    }
    requireNoMore(args);
    auto ctx = s.context(std::chrono::seconds(0));  // a stream runs until stopped
    auto reader = s.stub().Watch(ctx.get(), req);
    pb::Event e;
    while (reader->Read(&e)) {
        if (s.cli().json) {
            std::cout << txctl::toJson(e).dump() << std::endl;
            continue;
        }
        std::cout << e.seq() << " " << e.gid() << " " << txctl::statusName(e.summary().status());
        if (!e.branch_id().empty())
            std::cout << " " << e.branch_id() << "/" << txctl::opName(e.op()) << " "
                      << txctl::opStatusName(e.op_status());
        if (!e.message().empty())
            std::cout << " " << e.message();
        std::cout << std::endl;
    }
    grpc::Status st = reader->Finish();
    return st.ok() ? 0 : fail(s.cli(), st);
}

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

std::string requireReason(std::vector<std::string> &args)
{
    auto reason = takeOption(args, "--reason");
    if (!reason || reason->empty())
        throw UsageError("--reason is required for operator actions (it goes to the audit log)");
    return *reason;
}

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
    grpc::Status st =
        coord::client::callAction(s.connection(), command, std::chrono::seconds(60), &reply);
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
    grpc::Status st =
        coord::client::callAction(s.connection(), command, std::chrono::seconds(60), &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    if (s.cli().json)
        std::cout << txctl::toJson(reply.transaction()).dump() << "\n";
    else
        printPlan(s.cli(), reply.plan(), false);
    return 0;
}

int cmdAudit(Session &s)
{
    auto &args = s.cli().args;
    pb::ListAuditRequest req;
    if (auto gid = takeOption(args, "--gid"))
        req.set_gid(*gid);
    if (auto limit = takeOption(args, "--limit"))
        req.set_limit(std::atoi(limit->c_str()));
    requireNoMore(args);
    pb::ListAuditReply reply;
    auto ctx = s.context(std::chrono::seconds(30));
    grpc::Status st = s.admin().ListAudit(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    for (const auto &e : reply.entries()) {
        if (s.cli().json) {
            std::cout << txctl::toJson(e).dump() << "\n";
            continue;
        }
        std::printf("%lld %s %s(%s) %s %s%s%s: %s -> %s [%s] %s\n",
                    static_cast<long long>(e.id()), std::to_string(e.at_ms()).c_str(),
                    e.who().c_str(), e.role().c_str(), e.action().c_str(), e.gid().c_str(),
                    e.branch_id().empty() ? "" : "/", e.branch_id().c_str(),
                    e.state_before().c_str(), e.state_after().c_str(), e.outcome().c_str(),
                    e.reason().c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    Cli cli;
    const char *envAddr = std::getenv("TXDESK_ADDR");
    const char *envToken = std::getenv("TXDESK_TOKEN");
    cli.addr = envAddr && *envAddr ? envAddr : coord::domain::kDefaultAddress;
    cli.token = envToken ? envToken : "";
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (takeFlag(args, "--help") || takeFlag(args, "-h")) {
            std::cout << usage();
            return 0;
        }
        if (auto a = takeOption(args, "--addr"))
            cli.addr = *a;
        if (auto t = takeOption(args, "--token"))
            cli.token = *t;
        if (auto ca = takeOption(args, "--tls-ca"))
            cli.tlsCa = *ca;
        cli.json = takeFlag(args, "--json");
        if (args.empty())
            throw UsageError("missing command");
        cli.command = args.front();
        cli.args.assign(args.begin() + 1, args.end());
        if (cli.command == "hash-token") {  // offline: no coordinator needed
            if (cli.args.size() != 1)
                throw UsageError("hash-token needs TOKEN");
            std::cout << coord::auth::tokenHashHex(cli.args[0]) << "\n";
            return 0;
        }

        using coord::domain::OperatorAction;
        static const std::map<std::string, std::function<int(Session &)>> commands = {
            {"ping", cmdPing},   {"list", cmdList},   {"submit", cmdSubmit},
            {"get", cmdGet},     {"watch", cmdWatch},
            {"cancel-branch", [](Session &s) { return cmdAction(s, OperatorAction::CancelBranch); }},
            {"abort", [](Session &s) { return cmdAction(s, OperatorAction::Abort); }},
            {"mark-failed", [](Session &s) { return cmdAction(s, OperatorAction::MarkFailed); }},
            {"pause", [](Session &s) { return cmdAction(s, OperatorAction::Pause); }},
            {"resume", [](Session &s) { return cmdAction(s, OperatorAction::Resume); }},
            {"retry", cmdRetry},
            {"resolve", cmdResolve},
            {"audit", cmdAudit},
        };
        auto it = commands.find(cli.command);
        if (it == commands.end())
            throw UsageError("unknown command " + cli.command);
        Session session(cli);
        return it->second(session);
    } catch (const UsageError &e) {
        std::cerr << "txctl: " << e.what() << "\n" << usage();
        return 2;
    }
}
