#include "barrierinspection.h"

#include <absl/strings/str_cat.h>

#include <algorithm>

namespace coord::barrier {

namespace {

std::vector<std::string> gidsOf(const std::vector<GidRows> &page)
{
    std::vector<std::string> gids;
    gids.reserve(page.size());
    for (const GidRows &g : page)
        gids.push_back(g.gid);
    return gids;
}

using Records = std::map<std::string, domain::Transaction>;

// Calls `each(page, records)` for every page of the table, in gid order; stops when it
// answers false. `each` may take the records (they are the page's own).
absl::Status forEachPage(BarrierTable &table, const RecordLookup &lookup, int pageGids,
                         const std::function<bool(const std::vector<GidRows> &, Records &)> &each)
{
    std::string after;
    for (;;) {
        auto page = table.nextGids(after, std::clamp(pageGids, 1, 1000));
        if (!page.ok())
            return page.status();
        if (page->empty())
            return absl::OkStatus();
        auto records = lookup(gidsOf(*page));
        if (!records.ok())
            return records.status();
        after = page->back().gid;
        if (!each(*page, *records))
            return absl::OkStatus();
    }
}

}  // namespace

absl::StatusOr<InspectionCounts> inspectTable(
    BarrierTable &table, const RecordLookup &lookup, const InspectionOptions &options,
    const std::function<void(const Finding &)> &onFinding,
    const std::function<bool(const InspectionCounts &)> &onPage)
{
    InspectionCounts counts;
    absl::Status s = forEachPage(
        table, lookup, options.pageGids, [&](const std::vector<GidRows> &page, Records &records) {
            for (const GidRows &g : page) {
                ++counts.gids;
                counts.rows += static_cast<int64_t>(g.rows.size());
                const auto it = records.find(g.gid);
                std::optional<domain::Transaction> record;
                if (it != records.end())
                    record = std::move(it->second);
                for (const Finding &f : inspectGid(g.gid, g.rows, record, options.participant)) {
                    (isProblem(f.kind) ? counts.problems : counts.inFlight) += 1;
                    if (onFinding)
                        onFinding(f);
                }
            }
            return !onPage || onPage(counts);
        });
    if (!s.ok())
        return s;
    return counts;
}

bool isPrunable(const domain::Transaction &record, int64_t cutoffMs)
{
    const domain::TxSummary &s = record.summary;
    return domain::isFinal(s.status) && s.finishedMs > 0 && s.finishedMs < cutoffMs;
}

namespace {

// Where one gid's rows go in the plan: deleted, or kept and why.
void addToPlan(PrunePlan &plan, const GidRows &g, const Records &records, int64_t cutoffMs)
{
    const auto rows = static_cast<int64_t>(g.rows.size());
    ++plan.gidsRead;
    plan.rowsRead += rows;
    const auto it = records.find(g.gid);
    if (it == records.end()) {
        plan.keptUnknownRows += rows;
    } else if (!domain::isFinal(it->second.summary.status)) {
        plan.keptUnfinishedRows += rows;
    } else if (!isPrunable(it->second, cutoffMs)) {
        plan.keptRecentRows += rows;
    } else {
        plan.gids.push_back(g.gid);
        plan.rows += rows;
    }
}

}  // namespace

absl::StatusOr<PrunePlan> planPrune(BarrierTable &table, const RecordLookup &lookup,
                                    int64_t cutoffMs, int pageGids)
{
    PrunePlan plan;
    absl::Status s = forEachPage(table, lookup, pageGids,
                                 [&](const std::vector<GidRows> &page, Records &records) {
                                     for (const GidRows &g : page)
                                         addToPlan(plan, g, records, cutoffMs);
                                     return true;
                                 });
    if (!s.ok())
        return s;
    return plan;
}

absl::StatusOr<int64_t> applyPrune(BarrierTable &table, const PrunePlan &plan, int batchGids)
{
    const size_t batch = static_cast<size_t>(std::clamp(batchGids, 1, 10'000));
    int64_t deleted = 0;
    for (size_t i = 0; i < plan.gids.size(); i += batch) {
        const auto end = plan.gids.begin()
            + static_cast<std::ptrdiff_t>(std::min(plan.gids.size(), i + batch));
        auto n = table.deleteGids({plan.gids.begin() + static_cast<std::ptrdiff_t>(i), end});
        if (!n.ok())
            return absl::Status(n.status().code(),
                                absl::StrCat(n.status().message(), " (after ", deleted,
                                             " row(s) deleted in earlier batches)"));
        deleted += *n;
    }
    return deleted;
}

}  // namespace coord::barrier
