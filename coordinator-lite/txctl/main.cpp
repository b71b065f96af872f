// txctl: the command line for operators and scripts.
#include "commands.h"

#include "auth/tokenhash.h"
#include "domain/defaultaddress.h"

#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>

using namespace txctl;

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
            {"ping", cmdPing},
            {"list", cmdList},
            {"submit", cmdSubmit},
            {"get", cmdGet},
            {"watch", cmdWatch},
            {"cancel-branch",
             [](Session &s) { return cmdAction(s, OperatorAction::CancelBranch); }},
            {"abort", [](Session &s) { return cmdAction(s, OperatorAction::Abort); }},
            {"mark-failed", [](Session &s) { return cmdAction(s, OperatorAction::MarkFailed); }},
            {"pause", [](Session &s) { return cmdAction(s, OperatorAction::Pause); }},
            {"resume", [](Session &s) { return cmdAction(s, OperatorAction::Resume); }},
            {"retry", cmdRetry},
            {"resolve", cmdResolve},
            {"audit", cmdAudit},
            {"inspect-barrier", cmdInspectBarrier},
            {"prune-barrier", cmdPruneBarrier},
            {"explore", cmdExplore},
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
