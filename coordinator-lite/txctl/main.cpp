// txctl: the command line for operators and scripts.
#include "jsonview.h"

#include "auth/tokenhash.h"
#include "domain/types.h"

#include "txdesk/v1/coordinator.grpc.pb.h"

#include <grpcpp/grpcpp.h>

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
    "environment: TXDESK_ADDR (default 127.0.0.1:36790), TXDESK_TOKEN\n";

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

class Session
{
public:
    explicit Session(const Cli &cli)
        : m_cli(cli),
          m_channel(grpc::CreateChannel(cli.addr, cli.tlsCa.empty()
                                                      ? grpc::InsecureChannelCredentials()
                                                      : tlsCredentials(cli.tlsCa))),
          m_stub(pb::Coordinator::NewStub(m_channel)),
          m_admin(pb::Admin::NewStub(m_channel))
    {
    }

    static std::shared_ptr<grpc::ChannelCredentials> tlsCredentials(const std::string &caFile)
    {
        std::ifstream in(caFile);
        if (!in)
            throw UsageError("cannot read --tls-ca " + caFile);
        std::stringstream pem;
        pem << in.rdbuf();
        grpc::SslCredentialsOptions options;
        options.pem_root_certs = pem.str();
        return grpc::SslCredentials(options);
    }

    pb::Admin::Stub &admin() { return *m_admin; }

    std::unique_ptr<grpc::ClientContext> context(std::chrono::seconds timeout) const
    {
        auto ctx = std::make_unique<grpc::ClientContext>();
        ctx->set_deadline(std::chrono::system_clock::now() + timeout);
        if (!m_cli.token.empty())
            ctx->AddMetadata("authorization", "Bearer " + m_cli.token);
        return ctx;
    }

    pb::Coordinator::Stub &stub() { return *m_stub; }
    Cli &cli() { return m_cli; }

private:
    Cli m_cli;
    std::shared_ptr<grpc::Channel> m_channel;
    std::unique_ptr<pb::Coordinator::Stub> m_stub;
    std::unique_ptr<pb::Admin::Stub> m_admin;
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
    while (auto status = takeOption(args, "--status")) {
        pb::TxStatus value;
        std::string upper;
        for (char c : *status)
            upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (!pb::TxStatus_Parse(upper, &value) || value == pb::TX_STATUS_UNSPECIFIED)
            throw UsageError("--status: unknown status " + *status
                             + " (PREPARED, SUBMITTED, ABORTING, SUCCEEDED, FAILED)");
        req.add_statuses(value);
    }
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

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
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
    req.set_flow_json(readFile(args.front()));
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
    grpc::ClientContext ctx;
    if (!s.cli().token.empty())
        ctx.AddMetadata("authorization", "Bearer " + s.cli().token);
    auto reader = s.stub().Watch(&ctx, req);
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
int cmdAction(Session &s, const std::string &name)
{
    auto &args = s.cli().args;
    pb::ActionRequest req;
    req.set_reason(requireReason(args));
    req.set_dry_run(takeFlag(args, "--dry-run"));
    const bool branch = name == "cancel-branch";
    if (args.size() != (branch ? 2u : 1u))
        throw UsageError(name + (branch ? " needs GID BRANCH" : " needs GID"));
    req.set_gid(args[0]);
    if (branch)
        req.set_branch_id(args[1]);
    pb::ActionReply reply;
    auto ctx = s.context(std::chrono::seconds(60));
    grpc::Status st;
    if (name == "cancel-branch")
        st = s.admin().CancelBranch(ctx.get(), req, &reply);
    else if (name == "abort")
        st = s.admin().Abort(ctx.get(), req, &reply);
    else if (name == "mark-failed")
        st = s.admin().MarkFailed(ctx.get(), req, &reply);
    else if (name == "pause")
        st = s.admin().Pause(ctx.get(), req, &reply);
    else
        st = s.admin().Resume(ctx.get(), req, &reply);
    if (!st.ok())
        return fail(s.cli(), st);
    if (s.cli().json) {
        Json j;
        j["dry_run"] = req.dry_run();
        j["plan"] = txctl::toJson(reply.plan());
        j["transaction"] = txctl::toJson(reply.transaction());
        std::cout << j.dump() << "\n";
    } else {
        printPlan(s.cli(), reply.plan(), req.dry_run());
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
        while (auto status = takeOption(args, "--status")) {
            pb::TxStatus v;
            if (!pb::TxStatus_Parse(*status, &v))
                throw UsageError("--status: unknown status " + *status);
            req.mutable_filter()->add_statuses(v);
        }
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
    pb::ResolveRequest req;
    req.set_reason(requireReason(args));
    auto as = takeOption(args, "--as");
    if (!as || (*as != "succeeded" && *as != "skipped"))
        throw UsageError("resolve needs --as succeeded|skipped");
    req.set_as(*as == "succeeded" ? pb::OP_SUCCEEDED : pb::OP_SKIPPED);
    if (args.size() != 3)
        throw UsageError("resolve needs GID BRANCH OP");
    req.set_gid(args[0]);
    req.set_branch_id(args[1]);
    auto op = coord::domain::opKindFromString(args[2]);
    if (!op)
        throw UsageError("OP must be action, compensate, try, confirm or cancel");
    req.set_op(static_cast<pb::OpKind>(*op));
    pb::ActionReply reply;
    auto ctx = s.context(std::chrono::seconds(60));
    grpc::Status st = s.admin().Resolve(ctx.get(), req, &reply);
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
    cli.addr = envAddr && *envAddr ? envAddr : "127.0.0.1:36790";
    cli.token = envToken ? envToken : "";
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (takeFlag(args, "--help") || takeFlag(args, "-h")) {
            std::cout << kUsage;
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

        static const std::map<std::string, std::function<int(Session &)>> commands = {
            {"ping", cmdPing},   {"list", cmdList},   {"submit", cmdSubmit},
            {"get", cmdGet},     {"watch", cmdWatch},
            {"cancel-branch", [](Session &s) { return cmdAction(s, "cancel-branch"); }},
            {"abort", [](Session &s) { return cmdAction(s, "abort"); }},
            {"mark-failed", [](Session &s) { return cmdAction(s, "mark-failed"); }},
            {"pause", [](Session &s) { return cmdAction(s, "pause"); }},
            {"resume", [](Session &s) { return cmdAction(s, "resume"); }},
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
        std::cerr << "txctl: " << e.what() << "\n" << kUsage;
        return 2;
    }
}
