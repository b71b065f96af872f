#include "explorer.h"

#include "api/protoconvert.h"
#include "barrier/barriertable.h"
#include "client/connection.h"
#include "flow/flowdefinition.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

namespace coord::explore {

namespace pb = ::txdesk::v1;

namespace {

std::string timeRunId()
{
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &utc);
    return text;
}

// Refusals that every other path would get too: the run stops with them.
bool refusesEveryPath(grpc::StatusCode code)
{
    return code == grpc::StatusCode::FAILED_PRECONDITION
        || code == grpc::StatusCode::PERMISSION_DENIED || code == grpc::StatusCode::UNAUTHENTICATED
        || code == grpc::StatusCode::INVALID_ARGUMENT || code == grpc::StatusCode::UNAVAILABLE;
}

absl::StatusOr<flow::FlowDefinition> parsedFlow(const std::string &json)
{
    flow::ParseResult parsed = flow::parseFlow(json);
    if (parsed.ok())
        return std::move(*parsed.flow);
    const flow::FlowIssue *e = parsed.firstError();
    return absl::InvalidArgumentError(e ? absl::StrCat("the flow: ", e->field, ": ", e->message)
                                        : "the flow: not valid");
}

// The inspector's problems with one path's rows in one table.
void addFindings(PathResult &path, const barrier::GidRows &rows, const std::string &table)
{
    if (!path.record)
        return;
    for (const barrier::Finding &f : barrier::inspectGid(rows.gid, rows.rows, path.record)) {
        if (!barrier::isProblem(f.kind))
            continue;
        std::string text = absl::StrCat(barrier::toString(f.kind), f.branchId.empty() ? "" : " ",
                                        f.branchId, ": ", f.detail);
        path.problems.push_back(absl::StrCat("barrier ", table, ": ", text));
        path.findings.push_back(std::move(text));
    }
}

absl::Status toAbsl(const grpc::Status &s)
{
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

}  // namespace

int ExploreReport::redCount() const
{
    return static_cast<int>(
        std::count_if(paths.begin(), paths.end(), [](const PathResult &p) { return p.red(); }));
}

Explorer::Explorer(client::Connection &connection, ExploreOptions options)
    : m_connection(connection), m_options(std::move(options))
{}

absl::StatusOr<std::vector<FailurePoint>> Explorer::plan(const std::string &flowJson)
{
    auto flow = parsedFlow(flowJson);
    if (!flow.ok())
        return flow.status();
    return failurePoints(*flow);
}

absl::StatusOr<ExploreReport> Explorer::run(const std::string &flowJson, const Progress &progress,
                                            const std::atomic<bool> *cancel)
{
    auto flow = parsedFlow(flowJson);
    if (!flow.ok())
        return flow.status();
    const std::vector<FailurePoint> points = failurePoints(*flow);
    ExploreReport report;
    report.flowName = flow->name;
    report.type = flow->type;
    report.runId = m_options.runId.empty() ? timeRunId() : m_options.runId;
    for (const Invariant &inv : m_options.invariants) {
        auto value = evaluate(inv);
        if (!value.ok())
            return absl::FailedPreconditionError(
                absl::StrCat("invariant ", inv.label(),
                             " cannot be read before the start: ", value.status().message()));
        report.baseline.push_back({inv.label(), *value, *value, {}});
    }

    const int total = static_cast<int>(points.size());
    const int workers = m_options.invariants.empty()
        ? std::clamp(m_options.parallel, 1, std::max(total, 1))
        : 1;
    std::vector<std::optional<PathResult>> results(points.size());
    std::atomic<int> next{0};
    std::mutex mutex;  // results, done, fatal, the progress callback
    int done = 0;
    absl::Status fatal;
    auto work = [&] {
        for (;;) {
            {
                std::lock_guard lock(mutex);
                if (!fatal.ok())
                    return;
            }
            if (cancel && cancel->load())
                return;
            const int i = next++;
            if (i >= total)
                return;
            const std::string gid = absl::StrFormat("explore-%s-%03d", report.runId, i + 1);
            // Paths run one at a time with invariants: each path's before is its own.
            std::vector<InvariantValue> invariants = readInvariants();
            absl::Status refusal;
            PathResult path = runPath(flowJson, points[i], gid, cancel, refusal);
            if (path.finished)
                path.invariants = readInvariantsAfter(std::move(invariants));
            for (const InvariantValue &v : path.invariants)
                if (v.changed())
                    path.problems.push_back(
                        v.error.empty()
                            ? absl::StrCat("invariant ", v.label, " changed: ", v.before, " -> ",
                                           v.after)
                            : absl::StrCat("invariant ", v.label, " unreadable: ", v.error));
            std::lock_guard lock(mutex);
            if (!refusal.ok()) {
                if (fatal.ok())
                    fatal = refusal;
                return;
            }
            if (cancel && cancel->load() && !path.finished)
                return;  // cut short: not a verdict
            results[i] = std::move(path);
            ++done;
            if (progress)
                progress(done, total, *results[i]);
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < workers; ++t)
        threads.emplace_back(work);
    for (std::thread &t : threads)
        t.join();
    if (!fatal.ok())
        return fatal;

    for (auto &r : results)
        if (r)
            report.paths.push_back(std::move(*r));
    report.cancelled = static_cast<int>(report.paths.size()) < total;
    if (report.cancelled)
        report.notes.push_back(
            absl::StrCat("cancelled after ", report.paths.size(), " of ", total, " paths"));
    addBarrierFindings(report);
    std::stable_partition(report.paths.begin(), report.paths.end(),
                          [](const PathResult &p) { return p.red(); });
    return report;
}

PathResult Explorer::runPath(const std::string &flowJson, const FailurePoint &point,
                             const std::string &gid, const std::atomic<bool> *cancel,
                             absl::Status &refusal)
{
    PathResult path;
    path.point = point;
    path.gid = gid;
    pb::SubmitRequest request;
    request.set_flow_json(flowJson);
    request.set_gid(gid);
    request.set_business_key("explore: " + point.id);
    api::toProto(point.faults, request.mutable_faults());
    pb::SubmitReply reply;
    auto ctx = m_connection.context(std::chrono::seconds(30));
    if (grpc::Status s = m_connection.coordinator().Submit(ctx.get(), request, &reply); !s.ok()) {
        if (refusesEveryPath(s.error_code()))
            refusal = absl::Status(
                toAbsl(s).code(),
                absl::StrCat("the coordinator refused ", point.id, ": ", s.error_message()));
        else
            path.problems.push_back(absl::StrCat("the submit failed: ", s.error_message()));
        return path;
    }
    const auto deadline = std::chrono::steady_clock::now() + m_options.pathTimeout;
    domain::Transaction record = api::fromProto(reply.transaction());
    for (;;) {
        if (domain::isFinal(record.summary.status) || std::chrono::steady_clock::now() >= deadline
            || (cancel && cancel->load()))
            break;
        std::this_thread::sleep_for(m_options.pollInterval);
        pb::GetRequest get;
        get.set_gid(gid);
        pb::Transaction tx;
        auto getCtx = m_connection.context(std::chrono::seconds(10));
        if (grpc::Status s = m_connection.coordinator().Get(getCtx.get(), get, &tx); s.ok())
            record = api::fromProto(tx);
    }
    judge(path, record);
    if (!path.finished && !(cancel && cancel->load()))
        path.problems.front() += absl::StrCat(" after ", m_options.pathTimeout.count() / 1000,
                                              " s");
    return path;
}

std::vector<InvariantValue> Explorer::readInvariants() const
{
    std::vector<InvariantValue> values;
    for (const Invariant &inv : m_options.invariants) {
        InvariantValue v{inv.label(), {}, {}, {}};
        auto now = evaluate(inv);
        if (now.ok())
            v.before = *now;
        else
            v.error = absl::StrCat("before: ", now.status().message());
        values.push_back(std::move(v));
    }
    return values;
}

std::vector<InvariantValue> Explorer::readInvariantsAfter(std::vector<InvariantValue> values) const
{
    for (size_t i = 0; i < values.size(); ++i) {
        auto now = evaluate(m_options.invariants[i]);
        if (now.ok())
            values[i].after = *now;
        else if (values[i].error.empty())
            values[i].error = absl::StrCat("after: ", now.status().message());
    }
    return values;
}

// The inspector's judgement of every path's barrier rows, read once all paths have ended:
// every gid of this run sorts after "explore-RUN-" and before the first gid that does not.
void Explorer::addBarrierFindings(ExploreReport &report)
{
    const std::string prefix = absl::StrCat("explore-", report.runId, "-");
    std::map<std::string, PathResult *> byGid;
    for (PathResult &p : report.paths)
        byGid[p.gid] = &p;
    for (const BarrierSource &source : m_options.barriers) {
        auto table = barrier::openBarrierTable(source.dsn, source.table, barrier::Access::ReadOnly);
        if (!table.ok()) {
            report.notes.push_back(
                absl::StrCat("barrier table not read: ", table.status().message()));
            continue;
        }
        std::string after = prefix;
        for (bool more = true; more;) {
            auto page = (*table)->nextGids(after, 200);
            if (!page.ok()) {
                report.notes.push_back(absl::StrCat("barrier table ", (*table)->describe(), ": ",
                                                    page.status().message()));
                break;
            }
            more = page->size() == 200;
            for (const barrier::GidRows &g : *page) {
                if (g.gid.rfind(prefix, 0) != 0) {
                    more = false;
                    break;
                }
                after = g.gid;
                if (auto path = byGid.find(g.gid); path != byGid.end())
                    addFindings(*path->second, g, (*table)->describe());
            }
        }
    }
}

}  // namespace coord::explore
