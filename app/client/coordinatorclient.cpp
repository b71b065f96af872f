#include "coordinatorclient.h"

#include "api/protoconvert.h"

#include "txdesk/v1/coordinator.grpc.pb.h"

#include <grpcpp/grpcpp.h>

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

QString describe(const grpc::Status &status)
{
    QString text = QString::fromStdString(status.error_message());
    if (text.isEmpty())
        text = QStringLiteral("gRPC status %1").arg(int(status.error_code()));
    return text;
}

}  // namespace

// Owns the channel and the two worker threads of one connection. Created and destroyed on the
// owner's thread; the channel therefore never dies on a gRPC or worker thread.
class CoordinatorClient::Worker
{
public:
    Worker(CoordinatorClient *owner, quint64 generation, const std::string &address,
           const std::string &token, const std::string &caPem, int reconnectMs)
        : m_owner(owner), m_generation(generation), m_token(token), m_reconnectMs(reconnectMs)
    {
        grpc::ChannelArguments args;
        args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
        args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
        args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
        args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
        args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
        args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, std::max(reconnectMs, 1000));
        args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
        std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
        if (!caPem.empty()) {
            grpc::SslCredentialsOptions ssl;
            ssl.pem_root_certs = caPem;
            credentials = grpc::SslCredentials(ssl);
        }
        m_channel = grpc::CreateCustomChannel(address, credentials, args);
        m_stub = pb::Coordinator::NewStub(m_channel);
        m_admin = pb::Admin::NewStub(m_channel);
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

    pb::Admin::Stub &admin() { return *m_admin; }

    void enqueue(std::function<void(pb::Coordinator::Stub &, grpc::ClientContext &)> request)
    {
        {
            std::lock_guard lock(m_mutex);
            m_queue.push_back(std::move(request));
        }
        m_wake.notify_all();
    }

    std::vector<Event> takeEvents()
    {
        std::lock_guard lock(m_mutex);
        m_drainPosted = false;
        return std::exchange(m_pending, {});
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
        if (timeout.count() > 0)
            ctx.set_deadline(std::chrono::system_clock::now() + timeout);
        if (!m_token.empty())
            ctx.AddMetadata("authorization", "Bearer " + m_token);
    }

    bool stopping()
    {
        std::lock_guard lock(m_mutex);
        return m_stopping;
    }

    void pause()
    {
        std::unique_lock lock(m_mutex);
        m_wake.wait_for(lock, std::chrono::milliseconds(m_reconnectMs), [this] { return m_stopping; });
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
            grpc::Status st = m_stub->List(&ctx, req, &reply);
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
                grpc::Status st = m_stub->Ping(&ctx, pb::PingRequest(), &ping);
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
        auto reader = m_stub->Watch(&ctx, req);
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
            std::function<void(pb::Coordinator::Stub &, grpc::ClientContext &)> request;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
                if (m_stopping)
                    return;
                request = std::move(m_queue.front());
                m_queue.pop_front();
            }
            grpc::ClientContext ctx;
            prepare(ctx, std::chrono::seconds(30));
            request(*m_stub, ctx);
        }
    }

    CoordinatorClient *m_owner;
    quint64 m_generation;
    std::string m_token;
    int m_reconnectMs;
    std::shared_ptr<grpc::Channel> m_channel;
    std::unique_ptr<pb::Coordinator::Stub> m_stub;
    std::unique_ptr<pb::Admin::Stub> m_admin;
    int64_t m_seq = 0;  // session thread only

    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    grpc::ClientContext *m_watchContext = nullptr;
    std::deque<std::function<void(pb::Coordinator::Stub &, grpc::ClientContext &)>> m_queue;
    std::vector<Event> m_pending;
    bool m_drainPosted = false;

    std::thread m_session;
    std::thread m_requests;
};

CoordinatorClient::CoordinatorClient(QObject *parent) : QObject(parent) {}

CoordinatorClient::~CoordinatorClient() = default;

void CoordinatorClient::connectTo(const QString &address, const QString &token, const QString &caPem)
{
    m_worker.reset();
    ++m_generation;
    m_address = address;
    m_lastSeq = 0;
    m_role.clear();
    m_worker = std::make_unique<Worker>(this, m_generation, address.toStdString(),
                                        token.toStdString(), caPem.toStdString(), m_reconnectMs);
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
    std::vector<Event> events = m_worker->takeEvents();
    if (events.empty())
        return;
    m_lastSeq = events.back().seq;
    emit eventsArrived(events);
}

void CoordinatorClient::fetchTransaction(
    const QString &gid, std::function<void(const Transaction &, QString)> done)
{
    if (!m_worker) {
        done({}, tr("not connected"));
        return;
    }
    Worker *worker = m_worker.get();
    m_worker->enqueue([worker, gid = gid.toStdString(), done = std::move(done)](
                          pb::Coordinator::Stub &stub, grpc::ClientContext &ctx) {
        pb::GetRequest req;
        req.set_gid(gid);
        pb::Transaction reply;
        grpc::Status st = stub.Get(&ctx, req, &reply);
        Transaction tx = st.ok() ? coord::api::fromProto(reply) : Transaction{};
        QString error = st.ok() ? QString() : describe(st);
        worker->post([done, tx = std::move(tx), error] { done(tx, error); });
    });
}

void CoordinatorClient::checkGrpcTarget(QObject *context, const QString &target, int timeoutMs,
                                        std::function<void(bool, QString)> done)
{
    // The channel lives on the worker thread only and dies there, never on a gRPC thread.
    std::thread([context = QPointer<QObject>(context), target = target.toStdString(), timeoutMs,
                 done = std::move(done)] {
        bool ok = false;
        {
            auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
            ok = channel->WaitForConnected(std::chrono::system_clock::now()
                                           + std::chrono::milliseconds(timeoutMs));
        }
        const QString detail = ok ? QObject::tr("accepts connections")
                                  : QObject::tr("no answer within %1 ms").arg(timeoutMs);
        // The application object outlives the check; the context is checked on its own thread.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [context, done, ok, detail] {
                if (context)
                    done(ok, detail);
            },
            Qt::QueuedConnection);
    }).detach();
}

void CoordinatorClient::submit(const QByteArray &flowJson, const QString &gid,
                               const QString &businessKey,
                               std::function<void(const Transaction &, QString)> done)
{
    if (!m_worker) {
        done({}, tr("not connected"));
        return;
    }
    Worker *worker = m_worker.get();
    m_worker->enqueue([worker, flow = flowJson.toStdString(), gid = gid.toStdString(),
                       key = businessKey.toStdString(),
                       done = std::move(done)](pb::Coordinator::Stub &stub, grpc::ClientContext &ctx) {
        pb::SubmitRequest req;
        req.set_flow_json(flow);
        req.set_gid(gid);
        req.set_business_key(key);
        pb::SubmitReply reply;
        grpc::Status st = stub.Submit(&ctx, req, &reply);
        Transaction tx = st.ok() ? coord::api::fromProto(reply.transaction()) : Transaction{};
        QString error = st.ok() ? QString() : describe(st);
        worker->post([done, tx = std::move(tx), error] { done(tx, error); });
    });
}

void CoordinatorClient::act(const coord::domain::ActionCommand &cmd,
                            std::function<void(const coord::domain::ActionOutcome &, QString)> done)
{
    using coord::domain::ActionOutcome;
    using coord::domain::OperatorAction;
    if (!m_worker) {
        done({}, tr("not connected"));
        return;
    }
    Worker *worker = m_worker.get();
    m_worker->enqueue([worker, cmd, done = std::move(done)](pb::Coordinator::Stub &,
                                                            grpc::ClientContext &ctx) {
        pb::ActionReply reply;
        grpc::Status st;
        if (cmd.action == OperatorAction::Resolve) {
            pb::ResolveRequest req;
            req.set_gid(cmd.gid);
            req.set_branch_id(cmd.branchId);
            req.set_op(static_cast<pb::OpKind>(cmd.op));
            req.set_as(static_cast<pb::OpStatus>(cmd.as));
            req.set_reason(cmd.reason);
            st = worker->admin().Resolve(&ctx, req, &reply);
        } else if (cmd.action == OperatorAction::Retry) {
            pb::RetryRequest req;
            req.set_gid(cmd.gid);
            req.set_reason(cmd.reason);
            req.set_dry_run(cmd.dryRun);
            pb::RetryReply retry;
            st = worker->admin().Retry(&ctx, req, &retry);
        } else {
            pb::ActionRequest req;
            req.set_gid(cmd.gid);
            req.set_branch_id(cmd.branchId);
            req.set_reason(cmd.reason);
            req.set_dry_run(cmd.dryRun);
            auto &a = worker->admin();
            switch (cmd.action) {
            case OperatorAction::CancelBranch:
                st = a.CancelBranch(&ctx, req, &reply);
                break;
            case OperatorAction::Abort:
                st = a.Abort(&ctx, req, &reply);
                break;
            case OperatorAction::MarkFailed:
                st = a.MarkFailed(&ctx, req, &reply);
                break;
            case OperatorAction::Pause:
                st = a.Pause(&ctx, req, &reply);
                break;
            default:
                st = a.Resume(&ctx, req, &reply);
                break;
            }
        }
        ActionOutcome outcome;
        if (st.ok()) {
            const auto &p = reply.plan();
            for (const auto &o : p.operations())
                outcome.plan.operations.push_back(
                    {o.step(), o.branch_id(), static_cast<coord::domain::OpKind>(o.op()),
                     o.endpoint()});
            outcome.plan.notRollbackable.assign(p.not_rollbackable().begin(),
                                                p.not_rollbackable().end());
            outcome.plan.resultingStatus = static_cast<coord::domain::TxStatus>(
                std::clamp(int(p.resulting_status()), 1, 5));
            outcome.plan.summary = p.summary();
            outcome.plan.warnings.assign(p.warnings().begin(), p.warnings().end());
            if (reply.has_transaction())
                outcome.transaction = coord::api::fromProto(reply.transaction());
        }
        QString error = st.ok() ? QString() : describe(st);
        worker->post([done, outcome = std::move(outcome), error] { done(outcome, error); });
    });
}

}  // namespace txdesk::client
