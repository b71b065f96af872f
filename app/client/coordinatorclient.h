#pragma once

#include "domain/history.h"
#include "domain/operator.h"
#include "domain/types.h"

#include <absl/status/status.h>

#include <QObject>
#include <QString>

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace txdesk::client {

// A status as a person reads it: the coordinator's message, or the code's name without one;
// empty for OK.
QString errorText(const absl::Status &status);

// The console's connection to one coordinator. The only console class that talks gRPC (its
// header does not show it). Calls run on worker threads; every result and event reaches the
// owner's thread through a queued call. Keeps itself connected: after a break it reconnects
// and resumes the event stream from the last sequence number it delivered.
class CoordinatorClient : public QObject
{
    Q_OBJECT

public:
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)
    // A backlog (a console catching up with a busy coordinator) reaches the GUI thread in
    // slices of at most this many events, so painting and input go on between them.
    static constexpr size_t kMaxEventsPerDelivery = 2000;

    explicit CoordinatorClient(QObject *parent = nullptr);
    ~CoordinatorClient() override;

    // Connects (and keeps reconnecting) to HOST:PORT; replaces any previous connection.
    // With `caPem` the connection uses TLS and trusts that CA.
    void connectTo(const QString &address, const QString &token = {}, const QString &caPem = {});
    void disconnectFromCoordinator();

    State state() const { return m_state; }
    QString address() const { return m_address; }
    // Where and as whom this client connects: for a tool that opens its own connection (the
    // barrier inspector's look-ups run on their own thread).
    struct Endpoint {
        QString address;
        QString token;
        QString caPem;
    };
    Endpoint endpoint() const { return m_endpoint; }
    QString lastError() const { return m_lastError; }
    qint64 lastSeq() const { return m_lastSeq; }
    QString role() const { return m_role; }  // ours, as the coordinator sees it (on connect)

    // One-shot requests; the callback runs on the owner's thread with the coordinator's status
    // (its code and message as the coordinator gave them; `errorText` words it for a person).
    using TransactionDone =
        std::function<void(const coord::domain::Transaction &, const absl::Status &)>;
    using ActionDone =
        std::function<void(const coord::domain::ActionOutcome &, const absl::Status &)>;
    void fetchTransaction(const QString &gid, TransactionDone done);

    // The dashboards' history the coordinator keeps (Coordinator.History).
    using HistoryDone = std::function<void(const coord::domain::History &, const absl::Status &)>;
    void fetchHistory(const coord::domain::HistoryQuery &query, HistoryDone done);

    // Submits a flow (the "flow" section or a whole .txflow.json); answers once it is durable.
    void submit(const QByteArray &flowJson, const QString &gid, const QString &businessKey,
                TransactionDone done);

    // An operator action (or its dry-run plan).
    void act(const coord::domain::ActionCommand &command, ActionDone done);

    void setReconnectInterval(int ms) { m_reconnectMs = ms; }

signals:
    void stateChanged(txdesk::client::CoordinatorClient::State state, const QString &detail);
    // A fresh full listing replaces what the caller knew (first connect, or coordinator reset).
    void snapshotStarted();
    void snapshotPage(const std::vector<coord::domain::TxSummary> &transactions);
    void snapshotFinished(qint64 lastSeq);
    // Live events in sequence order, batched; never a gap or a duplicate within a connection
    // and across reconnects.
    void eventsArrived(const std::vector<coord::domain::Event> &events);

private:
    class Worker;
    void setState(State state, const QString &detail);
    void deliverEvents();

    std::unique_ptr<Worker> m_worker;
    quint64 m_generation = 0;  // bumped per connection; stale deliveries are dropped
    State m_state = State::Disconnected;
    QString m_address;
    Endpoint m_endpoint;
    QString m_lastError;
    qint64 m_lastSeq = 0;
    QString m_role;
    int m_reconnectMs = 1000;
};

}  // namespace txdesk::client
