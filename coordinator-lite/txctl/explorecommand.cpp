// txctl explore: one run of a flow per failure point against its real services, each path
// judged (explore/explorer.h); exit 1 when any path is red, so a service team's CI can run it.
#include "commands.h"

#include "api/statusmapping.h"
#include "explore/explorer.h"
#include "explore/explorereport.h"

#include <absl/strings/match.h>

#include <fstream>
#include <iostream>

namespace txctl {

namespace {

std::vector<coord::explore::Invariant> takeInvariants(std::vector<std::string> &args)
{
    std::vector<coord::explore::Invariant> invariants;
    while (auto db = takeOption(args, "--invariant-db")) {
        auto sql = takeOption(args, "--invariant-sql");
        if (!sql)
            throw UsageError("--invariant-db " + *db + " needs its --invariant-sql QUERY");
        invariants.push_back({*db, *sql, {}});
    }
    if (takeOption(args, "--invariant-sql"))
        throw UsageError("--invariant-sql needs its --invariant-db DSN");
    while (auto url = takeOption(args, "--invariant-url"))
        invariants.push_back({{}, {}, *url});
    return invariants;
}

std::vector<coord::explore::BarrierSource> takeBarriers(std::vector<std::string> &args)
{
    std::vector<coord::explore::BarrierSource> barriers;
    while (auto db = takeOption(args, "--barrier-db"))
        barriers.push_back({*db, takeOption(args, "--barrier-table").value_or("")});
    return barriers;
}

bool writeReport(const std::string &file, const coord::explore::ExploreReport &report)
{
    std::ofstream out(file);
    out << (absl::EndsWith(file, ".json") ? coord::explore::toJsonText(report)
                                          : coord::explore::toMarkdown(report));
    return static_cast<bool>(out);
}

}  // namespace

int cmdExplore(Session &s)
{
    auto &args = s.cli().args;
    coord::explore::ExploreOptions options;
    options.parallel = static_cast<int>(
        takeNumber(args, "--parallel", 1, 64, "a number of paths from 1 to 64").value_or(2));
    options.pathTimeout = std::chrono::seconds(
        takeNumber(args, "--path-timeout", 1, 24 * 3600, "a number of seconds above 0")
            .value_or(60));
    options.runId = takeOption(args, "--run-id").value_or("");
    options.invariants = takeInvariants(args);
    options.barriers = takeBarriers(args);
    const std::string reportFile = takeOption(args, "--report").value_or("");
    const bool planOnly = takeFlag(args, "--plan");
    if (args.size() != 1)
        throw UsageError("explore needs exactly one FLOW file");
    const std::string flow = readFile(args.front(), "");

    if (planOnly) {
        auto points = coord::explore::Explorer::plan(flow);
        if (!points.ok())
            return fail(s.cli(), coord::api::toGrpc(points.status()));
        for (const auto &p : *points)
            std::cout << p.id
                      << (p.rollbackForcedBy.empty()
                              ? ""
                              : "  (rollback forced by " + p.rollbackForcedBy + ")")
                      << "\n";
        return 0;
    }
    coord::explore::Explorer explorer(s.connection(), options);
    auto report = explorer.run(flow, [&](int done, int total, const coord::explore::PathResult &p) {
        if (!s.cli().json)
            std::cerr << "[" << done << "/" << total << "] " << (p.red() ? "RED   " : "green ")
                      << p.point.id << "\n";
    });
    if (!report.ok()) {
        std::cerr << "txctl explore: " << report.status().message() << "\n";
        return 2;
    }
    std::cout << (s.cli().json ? coord::explore::toJsonText(*report) + "\n"
                               : coord::explore::toTable(*report));
    if (!reportFile.empty() && !writeReport(reportFile, *report)) {
        std::cerr << "txctl explore: cannot write " << reportFile << "\n";
        return 2;
    }
    return report->redCount() > 0 ? 1 : 0;
}

}  // namespace txctl
