#pragma once

#include <google/protobuf/arena.h>
#include <grpcpp/grpcpp.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace coord::api {

// How a unary handler answers: once, from any thread, now or later.
class UnaryReactor
{
public:
    virtual void Finish(const grpc::Status &status) = 0;

protected:
    ~UnaryReactor() = default;
};

// What a handler sees of its call: the caller (metadata, peer) and how to answer.
class RpcContext
{
public:
    virtual const grpc::ServerContextBase &server() const = 0;
    operator const grpc::ServerContextBase &() const { return server(); }
    virtual UnaryReactor *DefaultReactor() = 0;

protected:
    ~RpcContext() = default;
};

// The gRPC server's calls on one completion queue that one thread of ours polls. gRPC 1.51's
// callback API serves from a queue that two threads of its own take turns polling, handing the
// poller's role to each other around every event (two futex wake-ups per call); with one
// polling thread in the process a call's events are read, dispatched and completed without a
// hand-off. Handlers must not block: what waits on a database goes to a thread of its own.
class RpcLoop
{
public:
    // Every event of a call comes back to its Tag, on the loop's thread.
    class Tag
    {
    public:
        virtual void proceed(bool ok) = 0;

    protected:
        ~Tag() = default;
    };

    template <class Service, class Request, class Reply>
    using RequestFn = void (Service::*)(grpc::ServerContext *, Request *,
                                        grpc::ServerAsyncResponseWriter<Reply> *,
                                        grpc::CompletionQueue *, grpc::ServerCompletionQueue *,
                                        void *);
    template <class Request, class Reply>
    using Handler = std::function<UnaryReactor *(RpcContext *, const Request *, Reply *)>;

    // Where a handler runs: on the loop's thread, or (when it may wait on the store) on one of
    // the loop's workers, so that no call waits behind a slow query.
    enum class Run { Inline, OnWorker };

    RpcLoop(grpc::ServerBuilder &builder, int workers);
    ~RpcLoop();

    // Serves one unary method of `service` (registered with the builder) with `handler`.
    template <class Service, class Request, class Reply>
    void unary(std::type_identity_t<Service> *service, RequestFn<Service, Request, Reply> request,
               std::type_identity_t<Handler<Request, Reply>> handler, Run run);
    // The same for a member handler of `self`.
    template <class Self, class Service, class Request, class Reply>
    void unary(std::type_identity_t<Service> *service, RequestFn<Service, Request, Reply> request,
               Self *self, UnaryReactor *(Self::*method)(RpcContext *, const Request *, Reply *),
               Run run)
    {
        unary<Service, Request, Reply>(
            service, request,
            [self, method](RpcContext *c, const Request *r, Reply *out) {
                return (self->*method)(c, r, out);
            },
            run);
    }
    // Serves a method some other way: `arm` asks for its first call once the server runs.
    void serve(std::function<void()> arm) { m_armers.push_back(std::move(arm)); }

    grpc::ServerCompletionQueue *queue() const { return m_queue.get(); }

    // After the server started: asks for each method's first call and starts polling.
    void start();
    // After the server shut down (its pending calls come back failed): drains the queue.
    void stop();

    // Runs `work` on a worker thread.
    void post(std::function<void()> work);

    // Starts an operation on a call (ask, write, finish) unless the loop is stopping: an
    // operation started after the queue shut down would be a crash in gRPC. False: not
    // started, and its tag will never come back.
    template <class Op>
    bool begin(Op &&op)
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return false;
        op();
        return true;
    }

private:
    void work();

    std::unique_ptr<grpc::ServerCompletionQueue> m_queue;
    std::vector<std::function<void()>> m_armers;
    std::thread m_thread;
    std::mutex m_mutex;
    bool m_stopping = false;
    bool m_started = false;

    const int m_workerCount;
    std::vector<std::thread> m_workers;
    std::mutex m_workMutex;
    std::condition_variable m_workReady;
    std::deque<std::function<void()>> m_work;
    bool m_workersStopping = false;
};

namespace detail {

// Request and reply on one protobuf arena whose first block lives in the call.
class CallArena
{
public:
    CallArena() : m_arena(options(m_firstBlock)) {}
    google::protobuf::Arena *arena() { return &m_arena; }

private:
    static constexpr size_t kFirstBlock = 8192;  // a two-branch saga and its transaction
    static google::protobuf::ArenaOptions options(std::array<char, kFirstBlock> &block)
    {
        google::protobuf::ArenaOptions o;
        o.initial_block = block.data();
        o.initial_block_size = block.size();
        return o;
    }
    alignas(16) std::array<char, kFirstBlock> m_firstBlock;  // before the arena that uses it
    google::protobuf::Arena m_arena;
};

template <class Service, class Request, class Reply>
class UnaryCall final : public RpcLoop::Tag, public RpcContext, public UnaryReactor
{
public:
    struct Method {
        RpcLoop *loop;
        Service *service;
        RpcLoop::RequestFn<Service, Request, Reply> request;
        RpcLoop::Handler<Request, Reply> handler;
        RpcLoop::Run run;
    };

    // Waits for the method's next call.
    static void ask(const std::shared_ptr<const Method> &method)
    {
        auto *call = new UnaryCall(method);
        grpc::ServerCompletionQueue *queue = method->loop->queue();
        bool asked = method->loop->begin([&] {
            (method->service->*method->request)(&call->m_context, call->m_request, &call->m_writer,
                                                queue, queue, call);
        });
        if (!asked)
            delete call;
    }

    void proceed(bool ok) override
    {
        if (m_answered.load(std::memory_order_acquire) || !ok) {  // answered, or never came
            delete this;
            return;
        }
        ask(m_method);
        if (m_method->run == RpcLoop::Run::Inline)
            m_method->handler(this, m_request, m_reply);
        else
            m_method->loop->post([this] { m_method->handler(this, m_request, m_reply); });
    }

    const grpc::ServerContextBase &server() const override { return m_context; }
    UnaryReactor *DefaultReactor() override { return this; }

    void Finish(const grpc::Status &status) override
    {
        // Before the answer starts: its completion may reach the loop before begin() returns.
        m_answered.store(true, std::memory_order_release);
        bool started = m_method->loop->begin([&] {
            if (status.ok())
                m_writer.Finish(*m_reply, status, this);
            else
                m_writer.FinishWithError(status, this);
        });
        if (!started)
            delete this;
    }

private:
    explicit UnaryCall(std::shared_ptr<const Method> method) : m_method(std::move(method)) {}

    std::shared_ptr<const Method> m_method;
    CallArena m_arena;
    Request *m_request = google::protobuf::Arena::CreateMessage<Request>(m_arena.arena());
    Reply *m_reply = google::protobuf::Arena::CreateMessage<Reply>(m_arena.arena());
    grpc::ServerContext m_context;
    grpc::ServerAsyncResponseWriter<Reply> m_writer{&m_context};
    std::atomic<bool> m_answered{false};  // set on the answering thread, read on the loop
};

}  // namespace detail

template <class Service, class Request, class Reply>
void RpcLoop::unary(std::type_identity_t<Service> *service,
                    RequestFn<Service, Request, Reply> request,
                    std::type_identity_t<Handler<Request, Reply>> handler, Run run)
{
    using Call = detail::UnaryCall<Service, Request, Reply>;
    auto method = std::make_shared<const typename Call::Method>(
        typename Call::Method{this, service, request, std::move(handler), run});
    serve([method] { Call::ask(method); });
}

}  // namespace coord::api
