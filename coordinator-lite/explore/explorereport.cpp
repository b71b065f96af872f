#include "explorereport.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_replace.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace coord::explore {

namespace {

std::string seconds(int64_t ms) { return absl::StrCat(ms / 1000, ".", (ms % 1000) / 100, " s"); }

std::string cell(const std::string &text)  // a Markdown table cell
{
    return absl::StrReplaceAll(text, {{"|", "\\|"}, {"\n", " / "}});
}

std::string invariantsText(const PathResult &p)
{
    std::vector<std::string> parts;
    for (const InvariantValue &v : p.invariants)
        parts.push_back(v.error.empty() ? absl::StrCat(v.before, " -> ", v.after)
                                        : absl::StrCat("unreadable: ", v.error));
    return absl::StrJoin(parts, "; ");
}

std::string verdictLine(const ExploreReport &r)
{
    return absl::StrCat(r.paths.size(), " path(s), ", r.redCount(), " red",
                        r.cancelled ? " (cancelled)" : "");
}

}  // namespace

std::string toTable(const ExploreReport &r)
{
    std::string out = absl::StrCat("explored ", r.flowName, " (", toString(r.type), "), run ",
                                   r.runId, ": ", verdictLine(r), "\n");
    for (const PathResult &p : r.paths) {
        char line[512];
        std::snprintf(line, sizeof line, "%-5s %-36s %-11s %3d call(s) %7s  %s\n",
                      p.red() ? "RED" : "green", p.point.id.c_str(), p.statusText().c_str(),
                      p.attempts, seconds(p.durationMs).c_str(),
                      p.undone.empty() ? "" : ("undone " + absl::StrJoin(p.undone, ", ")).c_str());
        out += line;
        for (const std::string &problem : p.problems)
            absl::StrAppend(&out, "      ", problem, "\n");
    }
    for (const std::string &note : r.notes)
        absl::StrAppend(&out, "note: ", note, "\n");
    return out;
}

std::string toMarkdown(const ExploreReport &r)
{
    std::string out = absl::StrCat("# Failure paths of ", r.flowName, " (", toString(r.type),
                                   ")\n\nRun `", r.runId, "`: ", verdictLine(r), ".\n\n");
    if (!r.baseline.empty()) {
        out += "Invariants, before the first path:\n\n";
        for (const InvariantValue &v : r.baseline)
            absl::StrAppend(&out, "- `", cell(v.label), "` = `", cell(v.before), "`\n");
        out += "\n";
    }
    out += "| | Failure point | Status | Undone, in order | Calls | Duration | Invariants | "
           "Problems | gid |\n|---|---|---|---|---|---|---|---|---|\n";
    for (const PathResult &p : r.paths)
        absl::StrAppend(&out, "| ", p.red() ? "**red**" : "green", " | ", cell(p.point.id),
                        p.point.rollbackForcedBy.empty()
                            ? ""
                            : " (rollback forced by " + p.point.rollbackForcedBy + ")",
                        " | ", p.statusText(), " | ", cell(absl::StrJoin(p.undone, ", ")), " | ",
                        p.attempts, " | ", seconds(p.durationMs), " | ", cell(invariantsText(p)),
                        " | ", cell(absl::StrJoin(p.problems, "; ")), " | `", p.gid, "` |\n");
    for (const std::string &note : r.notes)
        absl::StrAppend(&out, "\nNote: ", note, "\n");
    return out;
}

std::string toJsonText(const ExploreReport &r)
{
    nlohmann::json paths = nlohmann::json::array();
    for (const PathResult &p : r.paths) {
        nlohmann::json invariants = nlohmann::json::array();
        for (const InvariantValue &v : p.invariants)
            invariants.push_back({{"invariant", v.label},
                                  {"before", v.before},
                                  {"after", v.after},
                                  {"error", v.error},
                                  {"changed", v.changed()}});
        nlohmann::json faults = nlohmann::json::array();
        for (const domain::FaultRule &f : p.point.faults)
            faults.push_back({{"branch_id", f.branchId},
                              {"op", toString(f.op)},
                              {"kind", toString(f.kind)},
                              {"times", f.times}});
        paths.push_back({{"point", p.point.id},
                         {"red", p.red()},
                         {"gid", p.gid},
                         {"faults", faults},
                         {"rollback_forced_by", p.point.rollbackForcedBy},
                         {"expected", toString(p.point.expected)},
                         {"status", p.statusText()},
                         {"undone", p.undone},
                         {"attempts", p.attempts},
                         {"duration_ms", p.durationMs},
                         {"invariants", invariants},
                         {"barrier_findings", p.findings},
                         {"problems", p.problems}});
    }
    nlohmann::json baseline = nlohmann::json::array();
    for (const InvariantValue &v : r.baseline)
        baseline.push_back({{"invariant", v.label}, {"value", v.before}});
    return nlohmann::json{{"flow", r.flowName},   {"type", toString(r.type)},
                          {"run", r.runId},       {"paths_total", r.paths.size()},
                          {"red", r.redCount()},  {"cancelled", r.cancelled},
                          {"baseline", baseline}, {"paths", paths},
                          {"notes", r.notes}}
        .dump(2);
}

}  // namespace coord::explore
