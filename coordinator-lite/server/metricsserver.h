#pragma once

#include "engine/engineobserver.h"

#include <absl/status/statusor.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace coord::net {
class HttpListener;
}
namespace httplib {
class Server;
}
namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Histogram;
}  // namespace prometheus
namespace coord::storage {
class Store;
}

namespace coord::server {

// Prometheus metrics (no per-gid labels) and a health check on their own HTTP port:
// GET /metrics (text format), GET /health (JSON).
class MetricsServer : public engine::EngineObserver
{
public:
    MetricsServer(storage::Store &store, std::string instanceId);
    ~MetricsServer() override;

    absl::StatusOr<std::string> start(const std::string &listen);  // returns HOST:PORT
    void stop();

    void transactionFinished(const domain::TxSummary &tx, int64_t durationMs) override;
    void attemptFinished(domain::OpKind op, domain::AttemptOutcome outcome, int64_t durationMs,
                         const std::string &endpoint) override;

    std::string render();  // the /metrics body

private:
    // The series of each label set, looked up once: Family::Add builds a label map, hashes it
    // and takes the family's lock on every call (two per saga on the HTTP client's thread).
    template <class Metric, size_t N>
    class SeriesCache
    {
    public:
        template <class Make>
        Metric &get(size_t key, Make make)
        {
            if (key >= N)
                return make();
            Metric *m = m_slots[key].load(std::memory_order_acquire);
            if (!m) {
                m = &make();  // Add returns the same series for the same labels
                m_slots[key].store(m, std::memory_order_release);
            }
            return *m;
        }

    private:
        std::array<std::atomic<Metric *>, N> m_slots{};
    };

    storage::Store &m_store;
    std::string m_instanceId;
    std::shared_ptr<prometheus::Registry> m_registry;
    prometheus::Family<prometheus::Counter> *m_transactions = nullptr;
    prometheus::Family<prometheus::Counter> *m_operations = nullptr;
    prometheus::Family<prometheus::Histogram> *m_txDuration = nullptr;
    prometheus::Family<prometheus::Histogram> *m_callDuration = nullptr;
    SeriesCache<prometheus::Counter, 64> m_transactionSeries;    // type * 8 + status
    SeriesCache<prometheus::Histogram, 8> m_txDurationSeries;    // type
    SeriesCache<prometheus::Counter, 64> m_operationSeries;      // op * 8 + outcome
    SeriesCache<prometheus::Histogram, 8> m_callDurationSeries;  // op
    std::unique_ptr<net::HttpListener> m_listener;
};

}  // namespace coord::server
