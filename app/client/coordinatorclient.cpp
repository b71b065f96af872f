#include "coordinatorclient.h"

#include "api/protoconvert.h"
#include "api/statusmapping.h"
#include "client/actioncall.h"
#include "client/connection.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace txdesk::client {

namespace pb = ::txdesk::v1;
using coord::domain::Event;
using coord::domain::Transaction;
using coord::domain::TxSummary;

namespace {

constexpr int kSnapshotPage = 5000;
constexpr std::chrono::seconds kRequestTimeout(30);

absl::Status notConnected()
{
    return absl::UnavailableError(QObject::tr("not connected").toStdString());
}

QString describe(const grpc::Status &status) { return errorText(coord::api::fromGrpc(status)); }

}  // namespace

QString errorText(const absl::Status &status)
{
    if (status.ok())
        return {};
    if (status.message().empty())
        return QString::fromStdString(absl::StatusCodeToString(status.code()));
    return QString::fromUtf8(status.message().data(), qsizetype(status.message().size()));
}

// Owns the channel and the two worker threads of one connection. Created and destroyed on the
// owner's thread; the channel therefore never dies on a gRPC or worker thread.
class CoordinatorClient::Worker
{
public:
    Worker(CoordinatorClient *owner, quint64 generation, coord::client::ConnectionOptions options)
        : m_owner(owner), m_generation(generation), m_connection(std::move(options))
    {
        m_session = std::thread([this] { runSession(); });
        m_requests = std::thread([this] { runRequests(); });
    }

    ~Worker()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
            if (m_watchContext)
                m_watchContext->TryCancel();
        }
        m_wake.notify_all();
        m_session.join();
        m_requests.join();
    }

    // Runs `request` on the request thread, in order.
    void enqueue(std::function<void(coord::client::Connection &)> request)
    {
        {
            std::lock_guard lock(m_mutex);
            m_queue.push_back(std::move(request));
        }
        m_wake.notify_all();
    }

    // What arrived since the last call, oldest first, at most `limit`; when more wait, another
    // delivery is already posted behind whatever else the GUI thread has to do.
    std::vector<Event> takeEvents(size_t limit)
    {
        std::lock_guard lock(m_mutex);
        if (m_pending.size() <= limit) {
            m_drainPosted = false;
            return std::exchange(m_pending, {});
        }
        std::vector<Event> first(std::make_move_iterator(m_pending.begin()),
                                 std::make_move_iterator(m_pending.begin() + limit));
        m_pending.erase(m_pending.begin(), m_pending.begin() + limit);
        post([o = m_owner] { o->deliverEvents(); });
        return first;
    }

    // Runs f on the owner's thread unless the owner has moved on to another connection. The
    // owner outlives the worker (it joins the threads), so m_owner is valid here.
    template <typename F>
    void post(F &&f)
    {
        QMetaObject::invokeMethod(
            m_owner,
            [owner = m_owner, generation = m_generation, f = std::forward<F>(f)]() mutable {
                if (owner->m_generation == generation)
                    f();
            },
            Qt::QueuedConnection);
    }

private:
    void prepare(grpc::ClientContext &ctx, std::chrono::milliseconds timeout) const
    {
        m_connection.prepare(ctx, timeout);
    }

    bool stopping()
    {
        std::lock_guard lock(m_mutex);
        return m_stopping;
    }

    void pause()
    {
        std::unique_lock lock(m_mutex);
        m_wake.wait_for(lock, std::chrono::milliseconds(m_connection.options().reconnectMs),
                        [this] { return m_stopping; });
    }

    void postState(State state, const QString &detail)
    {
        post([o = m_owner, state, detail] { o->setState(state, detail); });
    }

    // Returns false when the connection broke (state already reported).
    bool snapshot()
    {
        post([o = m_owner] { emit o->snapshotStarted(); });
        std::string cursor;
        bool first = true;
        do {
            pb::ListRequest req;
            req.set_limit(kSnapshotPage);
            req.set_cursor(cursor);
            pb::ListReply reply;
            grpc::ClientContext ctx;
            prepare(ctx, std::chrono::seconds(30));
            grpc::Status st = m_connection.coordinator().List(&ctx, req, &reply);
            if (!st.ok()) {
                postState(State::Disconnected, describe(st));
                return false;
            }
            if (first) {
                m_seq = reply.last_seq();
                first = false;
            }
            std::vector<TxSummary> rows;
            rows.reserve(reply.transactions_size());
            for (const auto &t : reply.transactions())
                rows.push_back(coord::api::fromProto(t));
            post([o = m_owner, rows = std::move(rows)] { emit o->snapshotPage(rows); });
            cursor = reply.next_cursor();
        } while (!cursor.empty() && !stopping());
        post([o = m_owner, seq = m_seq] { emit o->snapshotFinished(seq); });
        return true;
    }

    void runSession()
    {
        bool needSnapshot = true;
        while (!stopping()) {
            postState(State::Connecting, {});
            pb::PingReply ping;
            {
                grpc::ClientContext ctx;
                prepare(ctx, std::chrono::seconds(3));
                grpc::Status st = m_connection.coordinator().Ping(&ctx, pb::PingRequest(), &ping);
                if (!st.ok()) {
                    postState(State::Disconnected, describe(st));
                    pause();
                    continue;
                }
            }
            // A coordinator that went back in sequence has another database: start over.
            if (ping.last_seq() < m_seq)
                needSnapshot = true;
            if (needSnapshot) {
                if (!snapshot()) {
                    pause();
                    continue;
                }
                needSnapshot = false;
            }
            post([o = m_owner, role = QString::fromStdString(ping.role())] { o->m_role = role; });
            postState(State::Connected, QString::fromStdString(ping.instance_id()));
            watch();
            if (!stopping())
                pause();
        }
    }

    void watch()
    {
        grpc::ClientContext ctx;
        prepare(ctx, std::chrono::milliseconds(0));
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return;
            m_watchContext = &ctx;
        }
        pb::WatchRequest req;
        req.set_from_seq(m_seq);
        auto reader = m_connection.coordinator().Watch(&ctx, req);
        pb::Event event;
        while (reader->Read(&event)) {
            if (event.seq() <= m_seq)
                continue;  // never deliver twice
            m_seq = event.seq();
            bool postDrain = false;
            {
                std::lock_guard lock(m_mutex);
                m_pending.push_back(coord::api::fromProto(event));
                postDrain = !m_drainPosted;
                m_drainPosted = true;
            }
            if (postDrain)
                post([o = m_owner] { o->deliverEvents(); });
        }
        grpc::Status st = reader->Finish();
        {
            std::lock_guard lock(m_mutex);
            m_watchContext = nullptr;
            if (m_stopping)
                return;
        }
        postState(State::Disconnected,
                  st.ok() ? QStringLiteral("the coordinator closed the event stream")
                          : describe(st));
    }

    void runRequests()
    {
        for (;;) {
            std::function<void(coord::client::Connection &)> request;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
                if (m_stopping)
                    return;
                request = std::move(m_queue.front());
                m_queue.pop_front();
            }
            request(m_connection);
        }
    }

    CoordinatorClient *m_owner;
    quint64 m_generation;
    coord::client::Connection m_connection;
    int64_t m_seq = 0;  // session thread only

    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    grpc::ClientContext *m_watchContext = nullptr;
    std::deque<std::function<void(coord::client::Connection &)>> m_queue;
    std::vector<Event> m_pending;
    bool m_drainPosted = false;

    std::thread m_session;
    std::thread m_requests;
};

CoordinatorClient::CoordinatorClient(QObject *parent) : QObject(parent) {}

CoordinatorClient::~CoordinatorClient() = default;

void CoordinatorClient::connectTo(const QString &address, const QString &token,
                                  const QString &caPem)
{
    m_worker.reset();
    ++m_generation;
    m_address = address;
    m_endpoint = {address, token, caPem};
    m_lastSeq = 0;
    m_role.clear();
    coord::client::ConnectionOptions options;
    options.address = address.toStdString();
    options.token = token.toStdString();
    options.caPem = caPem.toStdString();
    options.longLived = true;
    options.reconnectMs = m_reconnectMs;
    m_worker = std::make_unique<Worker>(this, m_generation, std::move(options));
}

void CoordinatorClient::disconnectFromCoordinator()
{
    m_worker.reset();
    ++m_generation;
    setState(State::Disconnected, tr("disconnected"));
}

void CoordinatorClient::setState(State state, const QString &detail)
{
    if (state == State::Disconnected)
        m_lastError = detail;
    if (state == m_state && state != State::Disconnected)
        return;
    m_state = state;
    emit stateChanged(state, detail);
}

void CoordinatorClient::deliverEvents()
{
    if (!m_worker)
        return;
    std::vector<Event> events = m_worker->takeEvents(kMaxEventsPerDelivery);
    if (events.empty())
        return;
    m_lastSeq = events.back().seq;
    emit eventsArrived(events);
}

void CoordinatorClient::fetchTransaction(const QString &gid, TransactionDone done)
{
    if (!m_worker) {
        done({}, notConnected());
        return;
    }
    Worker *worker = m_worker.get();
    m_worker->enqueue([worker, gid = gid.toStdString(),
                       done = std::move(done)](coord::client::Connection &connection) {
        pb::GetRequest req;
        req.set_gid(gid);
        pb::Transaction reply;
        auto ctx = connection.context(kRequestTimeout);
        absl::Status st =
            coord::api::fromGrpc(connection.coordinator().Get(ctx.get(), req, &reply));
        Transaction tx = st.ok() ? coord::api::fromProto(reply) : Transaction{};
        worker->post([done, tx = std::move(tx), st] { done(tx, st); });
    });
}

void CoordinatorClient::fetchHistory(const coord::domain::HistoryQuery &query, HistoryDone done)
{
    if (!m_worker) {
        done({}, notConnected());
        return;
    }
    Worker *worker = m_worker.get();
    m_worker->enqueue(
        [worker, query, done = std::move(done)](coord::client::Connection &connection) {
            pb::HistoryRequest req;
            coord::api::toProto(query, &req);
            pb::HistoryReply reply;
            auto ctx = connection.context(kRequestTimeout);
            absl::Status st =
                coord::api::fromGrpc(connection.coordinator().History(ctx.get(), req, &reply));
            coord::domain::History history = st.ok() ? coord::api::fromProto(reply)
                                                     : coord::domain::History{};
            worker->post([done, history = std::move(history), st] { done(history, st); });
        });
}

void CoordinatorClient::submit(const QByteArray &flowJson, const QString &gid,
                               const QString &businessKey, TransactionDone done)
{
    if (!m_worker) {
        done({}, notConnected());
        return;
    }
    Worker *worker = m_worker.get();
    m_worker->enqueue([worker, flow = flowJson.toStdString(), gid = gid.toStdString(),
                       key = businessKey.toStdString(),
                       done = std::move(done)](coord::client::Connection &connection) {
        pb::SubmitRequest req;
        req.set_flow_json(flow);
        req.set_gid(gid);
        req.set_business_key(key);
        pb::SubmitReply reply;
        auto ctx = connection.context(kRequestTimeout);
        absl::Status st =
            coord::api::fromGrpc(connection.coordinator().Submit(ctx.get(), req, &reply));
        Transaction tx = st.ok() ? coord::api::fromProto(reply.transaction()) : Transaction{};
        worker->post([done, tx = std::move(tx), st] { done(tx, st); });
    });
}

void CoordinatorClient::act(const coord::domain::ActionCommand &command, ActionDone done)
{
    if (!m_worker) {
        done({}, notConnected());
        return;
    }
    Worker *worker = m_worker.get();
    m_worker->enqueue(
        [worker, command, done = std::move(done)](coord::client::Connection &connection) {
            auto outcome = coord::client::callAction(connection, command, kRequestTimeout);
            absl::Status st = outcome.status();
            worker->post([done, outcome = std::move(outcome), st] {
                done(outcome.ok() ? *outcome : coord::domain::ActionOutcome{}, st);
            });
        });
}

}  // namespace txdesk::client
