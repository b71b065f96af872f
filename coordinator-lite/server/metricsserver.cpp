#include "metricsserver.h"

#include "net/httplistener.h"

#include "storage/store.h"

#include <absl/strings/str_cat.h>
#include <httplib.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace coord::server {

using namespace domain;

namespace {
const prometheus::Histogram::BucketBoundaries kSeconds = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
}

MetricsServer::MetricsServer(storage::Store &store, std::string instanceId)
    : m_store(store),
      m_instanceId(std::move(instanceId)),
      m_registry(std::make_shared<prometheus::Registry>())
{
    m_transactions = &prometheus::BuildCounter()
                          .Name("txdesk_transactions_total")
                          .Help("Finished global transactions by type and final status")
                          .Register(*m_registry);
    m_operations = &prometheus::BuildCounter()
                        .Name("txdesk_branch_operations_total")
                        .Help("Calls to participants by operation and outcome")
                        .Register(*m_registry);
    m_txDuration = &prometheus::BuildHistogram()
                        .Name("txdesk_transaction_duration_seconds")
                        .Help("From creation to the final status")
                        .Register(*m_registry);
    m_callDuration = &prometheus::BuildHistogram()
                          .Name("txdesk_branch_call_duration_seconds")
                          .Help("One call to a participant")
                          .Register(*m_registry);
}

MetricsServer::~MetricsServer() { stop(); }

void MetricsServer::transactionFinished(const TxSummary &tx, int64_t durationMs)
{
    const auto type = static_cast<size_t>(tx.type), status = static_cast<size_t>(tx.status);
    m_transactionSeries
        .get(type * 8 + status,
             [&]() -> prometheus::Counter & {
                 return m_transactions->Add(
                     {{"type", toString(tx.type)}, {"status", toString(tx.status)}});
             })
        .Increment();
    m_txDurationSeries
        .get(type,
             [&]() -> prometheus::Histogram & {
                 return m_txDuration->Add({{"type", toString(tx.type)}}, kSeconds);
             })
        .Observe(durationMs / 1000.0);
}

void MetricsServer::attemptFinished(OpKind op, AttemptOutcome outcome, int64_t durationMs,
                                    const std::string &)
{
    const auto kind = static_cast<size_t>(op), result = static_cast<size_t>(outcome);
    m_operationSeries
        .get(kind * 8 + result,
             [&]() -> prometheus::Counter & {
                 return m_operations->Add({{"op", toString(op)}, {"outcome", toString(outcome)}});
             })
        .Increment();
    m_callDurationSeries
        .get(kind,
             [&]() -> prometheus::Histogram & {
                 return m_callDuration->Add({{"op", toString(op)}}, kSeconds);
             })
        .Observe(durationMs / 1000.0);
}

std::string MetricsServer::render()
{
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, m_registry->Collect());
    // Gauges read from the store at scrape time, so every instance reports the same truth.
    auto unfinished = m_store.unfinishedByStuckReason();
    if (unfinished.ok()) {
        int64_t inFlight = 0;
        out << "# HELP txdesk_transactions_stuck Unfinished transactions that are not "
               "progressing, by reason\n# TYPE txdesk_transactions_stuck gauge\n";
        for (const auto &[reason, n] : *unfinished) {
            inFlight += n;
            if (!reason.empty())
                out << "txdesk_transactions_stuck{reason=\"" << reason << "\"} " << n << "\n";
        }
        out << "# HELP txdesk_transactions_in_flight Unfinished transactions\n"
               "# TYPE txdesk_transactions_in_flight gauge\ntxdesk_transactions_in_flight "
            << inFlight << "\n";
    }
    return out.str();
}

absl::StatusOr<std::string> MetricsServer::start(const std::string &listen)
{
    auto listener = net::HttpListener::create();
    if (!listener.ok())
        return listener.status();
    m_listener = std::move(*listener);
    httplib::Server *http = &m_listener->server();
    http->Get("/metrics", [this](const httplib::Request &, httplib::Response &res) {
        res.set_content(render(), "text/plain; version=0.0.4");
    });
    http->Get("/health", [this](const httplib::Request &, httplib::Response &res) {
        auto seq = m_store.lastSeq();
        res.status = seq.ok() ? 200 : 503;
        res.set_content(seq.ok() ? absl::StrCat(R"({"status":"ok","instance":")", m_instanceId,
                                                R"(","last_seq":)", *seq, "}")
                                 : absl::StrCat(R"({"status":"unavailable","error":")",
                                                std::string(seq.status().message()), "\"}"),
                        "application/json");
    });
    return m_listener->listen(listen, "--metrics-listen");
}

void MetricsServer::stop()
{
    if (m_listener)
        m_listener->stop();
}

}  // namespace coord::server
