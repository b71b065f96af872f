#pragma once

#include "engine/engineobserver.h"

#include <absl/status/statusor.h>

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
    storage::Store &m_store;
    std::string m_instanceId;
    std::shared_ptr<prometheus::Registry> m_registry;
    prometheus::Family<prometheus::Counter> *m_transactions = nullptr;
    prometheus::Family<prometheus::Counter> *m_operations = nullptr;
    prometheus::Family<prometheus::Histogram> *m_txDuration = nullptr;
    prometheus::Family<prometheus::Histogram> *m_callDuration = nullptr;
    std::unique_ptr<net::HttpListener> m_listener;
};

}  // namespace coord::server
