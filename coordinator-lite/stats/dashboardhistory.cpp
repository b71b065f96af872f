#include "dashboardhistory.h"

#include "engine/eventhub.h"
#include "engine/threadname.h"
#include "flow/endpoint.h"
#include "storage/store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace coord::stats {

using namespace domain;

namespace {

int64_t systemNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int64_t floorTo(int64_t ms, int64_t step) { return ms - ((ms % step) + step) % step; }

}  // namespace

DashboardHistory::DashboardHistory(storage::Store &store, engine::EventHub &hub, NowMs now)
    : m_store(store),
      m_hub(hub),
      m_now(now ? std::move(now) : NowMs(systemNowMs)),
      m_startedMs(m_now()),
      m_seq(hub.lastSeq())
{}

DashboardHistory::~DashboardHistory() { stop(); }

void DashboardHistory::start()
{
    m_thread = std::thread([this] {
        engine::nameThisThread("dashboard-stats");
        run();
    });
}

void DashboardHistory::stop()
{
    {
        std::lock_guard lock(m_wakeMutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void DashboardHistory::run()
{
    if (absl::Status s = backfill(); !s.ok())
        spdlog::warn("dashboard history: stored transactions not read ({}); it starts now",
                     std::string(s.message()));
    int64_t lastSample = 0;
    while (!m_stopping) {
        readEvents().IgnoreError();  // a store that cannot be read now is read next time
        if (m_now() - lastSample >= kBucketMs) {
            sampleCounts().IgnoreError();
            lastSample = m_now();
        }
        std::unique_lock lock(m_wakeMutex);
        m_wake.wait_for(lock, std::chrono::seconds(1), [this] { return m_stopping.load(); });
    }
}

// Transactions that finished in the last 24 h before this process started, newest first by
// creation: the ones after that come through the event stream.
absl::Status DashboardHistory::backfill(int maxRows)
{
    const int64_t from = m_startedMs - kKeepMs;
    int64_t before = 0;
    int olderInARow = 0;
    for (int read = 0; read < maxRows && !m_stopping;) {
        auto page = m_store.timings(before, 10'000);
        if (!page.ok())
            return page.status();
        std::lock_guard lock(m_mutex);
        for (const TxTiming &t : *page) {
            if (t.finishedMs > 0 && t.finishedMs < m_startedMs && t.finishedMs >= from) {
                TxSummary s;
                s.status = t.status;
                s.flowName = t.flowName;
                s.createdMs = t.createdMs;
                s.finishedMs = t.finishedMs;
                recordFinishedLocked(s);
            }
            // Rows come roughly in creation order: once a thousand in a row were created an
            // hour before the window, nothing more finishes in it but the rare transaction that
            // ran for longer.
            olderInARow = t.createdMs < from - 3'600'000 ? olderInARow + 1 : 0;
            if (olderInARow >= 1000)
                return absl::OkStatus();
        }
        read += static_cast<int>(page->size());
        if (page->size() < 10'000)
            return absl::OkStatus();
        before = page->back().id;
    }
    return absl::OkStatus();
}

absl::Status DashboardHistory::readEvents()
{
    for (;;) {
        // Only the summaries of transactions that finished are kept: the rest of the stream
        // (four or more events a saga) is looked at in place, in the hub's tail.
        std::vector<TxSummary> finished;
        int64_t seq = m_seq;
        size_t read = 0;
        auto take = [&](const Event &e) {
            seq = e.seq;
            ++read;
            if (e.kind == EventKind::TxStatusChanged && isFinal(e.summary.status))
                finished.push_back(e.summary);
        };
        if (!m_hub.visitRecentAfter(m_seq, 10'000, take)) {  // fell behind the tail: the store
            auto stored = m_store.eventsAfter(m_seq, 10'000);
            if (!stored.ok())
                return stored.status();
            for (const Event &e : *stored)
                take(e);
        }
        if (read == 0)
            return absl::OkStatus();
        std::lock_guard lock(m_mutex);
        m_seq = seq;
        for (const TxSummary &tx : finished)
            recordFinishedLocked(tx);
        pruneLocked(m_now());
    }
}

absl::Status DashboardHistory::sampleCounts()
{
    auto byReason = m_store.unfinishedByStuckReason();
    if (!byReason.ok())
        return byReason.status();
    int64_t inFlight = 0, stuck = 0;
    for (const auto &[reason, count] : *byReason) {
        inFlight += count;
        if (!reason.empty())
            stuck += count;
    }
    std::lock_guard lock(m_mutex);
    Bucket &b = bucketAtLocked(m_now());
    b.inFlight = inFlight;
    b.stuck = stuck;
    return absl::OkStatus();
}

void DashboardHistory::attemptFinished(OpKind op, AttemptOutcome outcome, int64_t,
                                       const std::string &endpoint)
{
    const std::string participant = flow::participantOf(endpoint);
    std::lock_guard lock(m_mutex);
    Participant &p = bucketAtLocked(m_now()).participants[participant];
    ++p.attempts;
    if (outcome == AttemptOutcome::Failure || outcome == AttemptOutcome::Transient)
        ++p.errors;
    if (outcome == AttemptOutcome::Failure && (op == OpKind::Action || op == OpKind::Try))
        ++p.businessFailures;
}

DashboardHistory::Bucket &DashboardHistory::bucketAtLocked(int64_t ms)
{
    return m_buckets[floorTo(ms, kBucketMs)];
}

void DashboardHistory::recordFinishedLocked(const TxSummary &tx)
{
    const int64_t at = tx.finishedMs > 0 ? tx.finishedMs : m_now();
    Bucket &b = bucketAtLocked(at);
    FlowFigures &f = b.flows[tx.flowName];
    f.flow = tx.flowName;
    if (tx.status == TxStatus::Succeeded) {
        ++b.succeeded;
        ++f.succeeded;
    } else {
        ++b.failed;
        ++f.failed;
    }
    b.latency.add(std::max<int64_t>(at - tx.createdMs, 0));
}

void DashboardHistory::pruneLocked(int64_t nowMs)
{
    m_buckets.erase(m_buckets.begin(), m_buckets.lower_bound(nowMs - kKeepMs - kBucketMs));
}

History DashboardHistory::query(const HistoryQuery &q) const
{
    History out;
    out.nowMs = m_now();
    out.stepMs = std::max(kBucketMs, floorTo(q.stepMs, kBucketMs));
    out.recordedSinceMs = m_startedMs;
    const int64_t window = std::clamp<int64_t>(q.windowMs, out.stepMs, kKeepMs);
    const int64_t last = floorTo(out.nowMs, out.stepMs);
    const int64_t first = last - (window / out.stepMs - 1) * out.stepMs;
    std::map<std::string, FlowFigures> flows;
    std::map<std::string, Participant> participants;
    std::lock_guard lock(m_mutex);
    auto it = m_buckets.lower_bound(first);
    for (int64_t t = first; t <= last; t += out.stepMs) {
        HistoryPoint p;
        p.startMs = t;
        LatencyHistogram latency;
        for (; it != m_buckets.end() && it->first < t + out.stepMs; ++it) {
            const Bucket &b = it->second;
            p.succeeded += b.succeeded;
            p.failed += b.failed;
            latency.merge(b.latency);
            if (b.inFlight >= 0) {  // the interval's last sample
                p.inFlight = b.inFlight;
                p.stuck = b.stuck;
            }
            for (const auto &[name, f] : b.flows) {
                FlowFigures &sum = flows[name];
                sum.flow = name;
                sum.succeeded += f.succeeded;
                sum.failed += f.failed;
            }
            for (const auto &[host, c] : b.participants) {
                Participant &sum = participants[host];
                sum.attempts += c.attempts;
                sum.errors += c.errors;
                sum.businessFailures += c.businessFailures;
            }
        }
        p.p50Ms = latency.percentile(0.50);
        p.p95Ms = latency.percentile(0.95);
        p.p99Ms = latency.percentile(0.99);
        out.points.push_back(p);
    }
    for (auto &[name, f] : flows)
        out.flows.push_back(f);
    std::sort(out.flows.begin(), out.flows.end(), [](const auto &a, const auto &b) {
        return std::tie(b.failed, b.succeeded, a.flow) < std::tie(a.failed, a.succeeded, b.flow);
    });
    for (auto &[host, c] : participants)
        out.participants.push_back({host, c.attempts, c.errors, c.businessFailures});
    std::sort(out.participants.begin(), out.participants.end(), [](const auto &a, const auto &b) {
        return std::tie(b.businessFailures, b.errors, a.host)
            < std::tie(a.businessFailures, a.errors, b.host);
    });
    const size_t top = static_cast<size_t>(std::max(q.top, 1));
    if (out.flows.size() > top)
        out.flows.resize(top);
    if (out.participants.size() > top)
        out.participants.resize(top);
    return out;
}

}  // namespace coord::stats
