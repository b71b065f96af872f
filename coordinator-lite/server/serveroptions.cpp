#include "serveroptions.h"

#include <absl/strings/match.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

namespace coord::server {

std::string serverUsage()
{
    return absl::StrCat(
        "usage: coordinator-lite --listen HOST:PORT --db FILE|URL [--config FILE]\n"
        "                        [--metrics-listen HOST:PORT] [--dtm-listen HOST:PORT]\n"
        "                        [--sqlite-sync full|normal] [--allow-fault-injection]\n"
        "  --listen          gRPC address; port 0 picks a free port (default ",
        domain::kDefaultAddress,
        ")\n"
        "  --db              SQLite database file (created if missing), or a PostgreSQL URL\n"
        "                    postgresql://user[:password]@host[:port]/database that several\n"
        "                    instances share\n"
        "  --config          YAML configuration file\n"
        "  --metrics-listen  address of the Prometheus /metrics and /health endpoint\n"
        "  --dtm-listen      address of DTM's HTTP server API (/api/dtmsvr), so services\n"
        "                    using dtm's SDK point DtmServer here; DTM's gRPC service\n"
        "                    dtmgimp.Dtm is always on the --listen port\n"
        "  --sqlite-sync     SQLite synchronous mode; full (default) survives power loss\n"
        "  --allow-fault-injection  operators may submit transactions with a fault plan (the\n"
        "                    failure-path explorer); on for the console's bundled coordinator\n"
        "  --instance-id     lease owner name, unique per instance (default: host and database\n"
        "                    for SQLite, host and process id for PostgreSQL)\n"
        "  --exit-when-unused FILE  stop (draining, exit 0) once no process holds a lock\n"
        "                    on FILE: how consoles share their bundled coordinator\n"
        "limits per client (a token, or a peer address without one); 0 = no limit:\n"
        "  --max-watches-per-client N  concurrent Watch streams of one client (default 16)\n"
        "  --max-watches N             concurrent Watch streams in all (default 256)\n"
        "  --rate-limit N              requests/s of one client, Admin calls included\n"
        "                              (default 10000)\n"
        "  --rate-burst N              requests one client may make at once (default: N of\n"
        "                              --rate-limit)\n");
}

int *limitFlag(api::ClientLimits &limits, const std::string &flag)
{
    if (flag == "--max-watches-per-client")
        return &limits.maxWatchesPerClient;
    if (flag == "--max-watches")
        return &limits.maxWatches;
    if (flag == "--rate-limit")
        return &limits.rateLimit;
    if (flag == "--rate-burst")
        return &limits.rateBurst;
    return nullptr;
}

absl::StatusOr<ServerOptions> parseServerOptions(const std::vector<std::string> &args)
{
    ServerOptions o;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "-h" || a == "--help") {
            o.help = true;
            continue;
        }
        if (a == "--allow-fault-injection") {
            o.allowFaultInjection = true;
            continue;
        }
        std::string name = a, value;
        bool inlineValue = false;
        if (auto eq = a.find('='); absl::StartsWith(a, "--") && eq != std::string::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            inlineValue = true;
        }
        auto takeValue = [&]() -> absl::StatusOr<std::string> {
            if (inlineValue)
                return value;
            if (i + 1 >= args.size())
                return absl::InvalidArgumentError(absl::StrCat(name, " needs a value"));
            return args[++i];
        };
        std::string *target = nullptr;
        if (name == "--listen")
            target = &o.listen;
        else if (name == "--db")
            target = &o.db;
        else if (name == "--config")
            target = &o.config;
        else if (name == "--metrics-listen")
            target = &o.metricsListen;
        else if (name == "--dtm-listen")
            target = &o.dtmListen;
        else if (name == "--instance-id")
            target = &o.instanceId;
        else if (name == "--exit-when-unused")
            target = &o.exitWhenUnused;
        if (target || name == "--sqlite-sync")
            o.explicitFlags.insert(name);
        if (target) {
            auto v = takeValue();
            if (!v.ok())
                return v.status();
            if (v->empty())
                return absl::InvalidArgumentError(absl::StrCat(name, " must not be empty"));
            *target = *v;
            continue;
        }
        if (int *limit = limitFlag(o.limits, name)) {
            o.explicitFlags.insert(name);
            auto v = takeValue();
            if (!v.ok())
                return v.status();
            int n = 0;
            if (!absl::SimpleAtoi(*v, &n) || n < 0)
                return absl::InvalidArgumentError(
                    absl::StrCat(name, " must be a whole number >= 0, not ", *v));
            *limit = n;
            continue;
        }
        if (name == "--sqlite-sync") {
            auto v = takeValue();
            if (!v.ok())
                return v.status();
            if (*v != "full" && *v != "normal")
                return absl::InvalidArgumentError("--sqlite-sync must be full or normal");
            o.sqliteSyncFull = *v == "full";
            continue;
        }
        return absl::InvalidArgumentError(absl::StrCat("unknown flag ", a));
    }
    if (o.listen.rfind(':') == std::string::npos)
        return absl::InvalidArgumentError(
            absl::StrCat("--listen ", o.listen, ": expected HOST:PORT"));
    return o;
}

bool isLoopbackAddress(const std::string &hostPort)
{
    std::string host = hostPort.substr(0, hostPort.rfind(':'));
    if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]"))
        host = host.substr(1, host.size() - 2);
    return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

}  // namespace coord::server
