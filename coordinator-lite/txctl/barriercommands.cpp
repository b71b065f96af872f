// txctl inspect-barrier and prune-barrier: a participant's barrier table held against the
// coordinator's record of the same gids (barrier/barrierinspection.h), and its safe clean-up.
#include "commands.h"

#include "api/statusmapping.h"
#include "barrier/barrierinspection.h"
#include "client/recordlookup.h"

#include <absl/strings/str_cat.h>
#include <absl/time/time.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <unistd.h>

namespace txctl {

namespace {

using coord::barrier::Access;

constexpr std::chrono::seconds kLookupTimeout{60};

int failWith(const Cli &cli, const absl::Status &status)
{
    return fail(cli, coord::api::toGrpc(status));
}

coord::barrier::RecordLookup lookupOf(Session &s)
{
    return [&s](const std::vector<std::string> &gids) {
        return coord::client::getRecords(s.connection(), gids, kLookupTimeout);
    };
}

struct TableOptions {
    std::string dsn, table;
};

TableOptions takeTableOptions(std::vector<std::string> &args, const char *command)
{
    TableOptions t;
    t.dsn = takeOption(args, "--db").value_or("");
    if (t.dsn.empty())
        throw UsageError(std::string(command)
                         + " needs --db DSN (a SQLite path, postgres://…, mysql://…)");
    t.table = takeOption(args, "--table").value_or("");
    return t;
}

// The table, or an error printed (exit 1); a missing gid index is said, not fatal.
std::unique_ptr<coord::barrier::BarrierTable> openTable(const Cli &cli, const TableOptions &t,
                                                        Access access)
{
    auto table = coord::barrier::openBarrierTable(t.dsn, t.table, access);
    if (!table.ok()) {
        std::cerr << "txctl " << cli.command << ": " << table.status().message() << "\n";
        return nullptr;
    }
    auto indexed = (*table)->hasGidIndex();
    if (indexed.ok() && !*indexed)
        std::cerr << "txctl " << cli.command << ": warning: " << (*table)->describe()
                  << " has no index that starts with gid: every page reads the whole table"
                     " (CREATE INDEX ... ON the table (gid))\n";
    return std::move(*table);
}

std::string utcTime(int64_t ms)
{
    return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMillis(ms), absl::UTCTimeZone());
}

// 90s, 30m, 12h, 7d, 2w
std::chrono::milliseconds takeAge(std::vector<std::string> &args, const std::string &name)
{
    const auto text = takeOption(args, name);
    if (!text)
        throw UsageError("prune-barrier needs " + name + " AGE (e.g. 7d, 12h, 30m)");
    size_t used = 0;
    long long n = 0;
    try {
        n = std::stoll(*text, &used);
    } catch (const std::exception &) {
        used = 0;
    }
    const std::string unit = text->substr(used);
    const std::map<std::string, long long> perUnit{
        {"s", 1'000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}, {"w", 604'800'000}};
    const auto it = perUnit.find(unit);
    if (used == 0 || n <= 0 || it == perUnit.end() || n > 5'200 * 604'800'000LL / it->second)
        throw UsageError(name + " " + *text + ": a positive age with a unit s, m, h, d or w (7d)");
    return std::chrono::milliseconds(n * it->second);
}

void printFinding(const Cli &cli, const coord::barrier::Finding &f)
{
    const bool problem = coord::barrier::isProblem(f.kind);
    if (cli.json) {
        std::cout << nlohmann::json{{"gid", f.gid},
                                    {"branch_id", f.branchId},
                                    {"finding", toString(f.kind)},
                                    {"problem", problem},
                                    {"detail", f.detail},
                                    {"suggestion", f.suggestion}}
                         .dump()
                  << "\n";
    } else {
        std::cout << f.gid << (f.branchId.empty() ? "" : " / " + f.branchId) << ": "
                  << toString(f.kind) << " — " << f.detail << " → " << f.suggestion << "\n";
    }
}

}  // namespace

int cmdInspectBarrier(Session &s)
{
    auto &args = s.cli().args;
    const TableOptions t = takeTableOptions(args, "inspect-barrier");
    coord::barrier::InspectionOptions options;
    options.participant = takeOption(args, "--participant").value_or("");
    requireNoMore(args);
    auto table = openTable(s.cli(), t, Access::ReadOnly);
    if (!table)
        return 1;
    const bool tty = isatty(STDERR_FILENO);
    auto counts = coord::barrier::inspectTable(
        *table, lookupOf(s), options,
        [&](const coord::barrier::Finding &f) { printFinding(s.cli(), f); },
        [&](const coord::barrier::InspectionCounts &c) {
            if (tty)
                std::cerr << "\r" << c.gids << " gid(s), " << c.rows << " row(s) read…"
                          << std::flush;
            return true;
        });
    if (tty)
        std::cerr << "\r";
    if (!counts.ok())
        return failWith(s.cli(), counts.status());
    if (!s.cli().json)
        std::cout << counts->gids << " gid(s), " << counts->rows
                  << " row(s) read: " << counts->problems << " problem(s), " << counts->inFlight
                  << " in flight\n";
    return counts->problems > 0 ? 1 : 0;
}

int cmdPruneBarrier(Session &s)
{
    auto &args = s.cli().args;
    const TableOptions t = takeTableOptions(args, "prune-barrier");
    const auto age = takeAge(args, "--older-than");
    const bool yes = takeFlag(args, "--yes");
    const std::string reason = yes ? requireReason(args)
                                   : takeOption(args, "--reason").value_or("");
    requireNoMore(args);
    using namespace std::chrono;
    const int64_t cutoffMs =
        duration_cast<milliseconds>(system_clock::now().time_since_epoch() - age).count();

    auto reaches = coord::client::historyReaches(s.connection(), cutoffMs, kLookupTimeout);
    if (!reaches.ok())
        return failWith(s.cli(), reaches.status());
    if (!*reaches) {
        std::cerr << "txctl prune-barrier: refused: the coordinator holds no transaction created "
                     "before "
                  << utcTime(cutoffMs)
                  << ", so its history does not reach back that far and it cannot vouch that "
                     "older rows' transactions finished; nothing deleted (a shorter "
                     "--older-than, or the coordinator database that ran them)\n";
        return 1;
    }
    auto table = openTable(s.cli(), t, yes ? Access::ReadWrite : Access::ReadOnly);
    if (!table)
        return 1;
    auto plan = coord::barrier::planPrune(*table, lookupOf(s), cutoffMs);
    if (!plan.ok())
        return failWith(s.cli(), plan.status());
    std::cout << (yes ? "deleting " : "would delete ") << plan->rows << " row(s) of "
              << plan->gids.size() << " gid(s) finished before " << utcTime(cutoffMs) << " from "
              << table->describe() << "; keeping " << plan->keptUnfinishedRows
              << " row(s) of unfinished transactions, " << plan->keptRecentRows
              << " finished since, " << plan->keptUnknownRows
              << " of gids the coordinator does not know (" << plan->rowsRead << " read)\n";
    if (!yes) {
        std::cout << "dry run: nothing deleted (--yes --reason R deletes)\n";
        return 0;
    }
    pb::BarrierPruneRequest audit;
    audit.set_table(table->describe());
    audit.set_cutoff_ms(cutoffMs);
    audit.set_gids(static_cast<int64_t>(plan->gids.size()));
    audit.set_rows(plan->rows);
    audit.set_reason(reason);
    pb::AuditEntry entry;
    if (grpc::Status st = s.admin().AuditBarrierPrune(s.context(seconds(30)).get(), audit, &entry);
        !st.ok())
        return fail(s.cli(), st);  // refused (role) or not recorded: nothing deleted
    auto deleted = coord::barrier::applyPrune(*table, *plan);
    audit.set_deleted(true);
    audit.set_rows(deleted.ok() ? *deleted : 0);
    audit.set_outcome(deleted.ok() ? "ok" : std::string(deleted.status().message()));
    grpc::Status recorded = s.admin().AuditBarrierPrune(s.context(seconds(30)).get(), audit,
                                                        &entry);
    if (!deleted.ok())
        return failWith(s.cli(), deleted.status());
    std::cout << "deleted " << *deleted << " row(s) of " << plan->gids.size() << " gid(s)\n";
    if (!recorded.ok())
        return fail(s.cli(), recorded);
    return 0;
}

}  // namespace txctl
