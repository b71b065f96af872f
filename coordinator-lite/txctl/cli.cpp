#include "cli.h"

#include "domain/defaultaddress.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace txctl {

namespace {

constexpr const char *kUsage =
    "usage: txctl [--addr HOST:PORT] [--token T] COMMAND [ARGS] [--json]\n"
    "commands:\n"
    "  ping                          check the coordinator answers\n"
    "  list [--status S] [--stuck] [--limit N] [--text T]\n"
    "                                list transactions, newest first\n"
    "  submit FILE [--gid G] [--business-key K] [--payload-override JSON] [--wait]\n"
    "              [--fault BRANCH/OP:KIND[:TIMES]]...\n"
    "                                submit a .txflow.json flow; --wait prints the final state;\n"
    "                                --fault injects a fault into its calls (KIND:\n"
    "                                business-failure, transient-error, slow, answer-lost; a\n"
    "                                coordinator started with --allow-fault-injection)\n"
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
    "participants:\n"
    "  inspect-barrier --db DSN [--table T] [--participant HOST:PORT]\n"
    "                                a service's barrier table against the coordinator's\n"
    "                                record of each gid; exit 1 on a problem. DSN: a SQLite\n"
    "                                path, postgres://..., mysql://USER:PW@HOST:PORT/DB\n"
    "                                (table: barrier in SQLite, else dtm_barrier.barrier)\n"
    "  prune-barrier --db DSN --older-than AGE [--table T] [--yes --reason R]\n"
    "                                delete the rows of gids the coordinator knows finished\n"
    "                                more than AGE (7d, 12h) ago; a dry run without --yes\n"
    "  explore FLOW [--invariant-db DSN --invariant-sql QUERY]... [--invariant-url URL]...\n"
    "               [--barrier-db DSN [--barrier-table T]]... [--parallel N]\n"
    "               [--path-timeout S] [--report FILE.md|FILE.json] [--plan]\n"
    "                                run FLOW once per failure point (every operation x\n"
    "                                business-failure, transient-error, slow, answer-lost)\n"
    "                                against its real services; each invariant must read\n"
    "                                the same after every path; exit 1 when a path is red\n"
    "  hash-token TOKEN              SHA-256 of a token, for auth.tokens in the config\n"
    "environment: TXDESK_ADDR (default ";

// One status name, any case, as list and retry --all take it.
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

coord::client::ConnectionOptions connectionOptions(const Cli &cli)
{
    coord::client::ConnectionOptions options;
    options.address = cli.addr;
    options.token = cli.token;
    if (!cli.tlsCa.empty())
        options.caPem = readFile(cli.tlsCa, "--tls-ca ");
    return options;
}

}  // namespace

std::string usage()
{
    return std::string(kUsage) + coord::domain::kDefaultAddress + "), TXDESK_TOKEN\n";
}

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

std::optional<long long> takeNumber(std::vector<std::string> &args, const std::string &name,
                                    long long min, long long max, const std::string &rule)
{
    auto text = takeOption(args, name);
    if (!text)
        return std::nullopt;
    char *end = nullptr;
    const long long n = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || !end || *end || n < min || n > max)
        throw UsageError(name + " must be " + rule);
    return n;
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

// Every --status S given, in order.
std::vector<pb::TxStatus> takeStatuses(std::vector<std::string> &args)
{
    std::vector<pb::TxStatus> statuses;
    while (auto status = takeOption(args, "--status"))
        statuses.push_back(parseStatus(*status));
    return statuses;
}

std::string requireReason(std::vector<std::string> &args)
{
    auto reason = takeOption(args, "--reason");
    if (!reason || reason->empty())
        throw UsageError("--reason is required for operator actions (it goes to the audit log)");
    return *reason;
}

Session::Session(const Cli &cli) : m_cli(cli), m_connection(connectionOptions(cli)) {}

int fail(const Cli &cli, const grpc::Status &status)
{
    std::cerr << "txctl " << cli.command << ": " << status.error_message();
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE)
        std::cerr << " (is coordinator-lite running at " << cli.addr << "?)";
    std::cerr << " [code " << status.error_code() << "]\n";
    return 1;
}

}  // namespace txctl
