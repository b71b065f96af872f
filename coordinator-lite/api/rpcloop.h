#pragma once

#include <google/protobuf/arena.h>
#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

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

    // Runs `work` on the loop's thread: at once when called there, else with the next batch
    // handed over (one wake-up of the loop for all that is waiting: a commit's answers). When
    // the loop is stopping, at once on the calling thread (its gRPC operations will not start).
    void runOnLoop(std::function<void()> work);

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
    void runHandedOver();

    struct HandOver final : Tag {
        explicit HandOver(RpcLoop *l) : loop(l) {}
        void proceed(bool) override { loop->runHandedOver(); }
        RpcLoop *loop;
    };

    std::unique_ptr<grpc::ServerCompletionQueue> m_queue;
    std::vector<std::function<void()>> m_armers;
    std::thread m_thread;
    std::mutex m_mutex;
    bool m_stopping = false;
    std::vector<std::function<void()>> m_handedOver;  // under m_mutex
    grpc::Alarm m_handOverAlarm;                      // set while m_handedOver is not empty
    HandOver m_handOverTag{this};

    const int m_workerCount;
    std::vector<std::thread> m_workers;
    std::mutex m_workMutex;
    std::condition_variable m_workReady;
    std::deque<std::function<void()>> m_work;
    bool m_workersStopping = false;
};

namespace detail {

// Whether calls keep messages of this type on the call's arena (freed at once with the call,
// not field by field) or as plain members. dtmgimp's messages with map fields opt out: under
// ThreadSanitizer, protobuf 3.21's arena destructor of their maps crashed.
template <class Message>
inline constexpr bool kOnArena = true;

template <class Message>
class MessageSlot
{
public:
    explicit MessageSlot(google::protobuf::Arena *arena)
        : m_message(kOnArena<Message> ? google::protobuf::Arena::CreateMessage<Message>(arena)
                                      : &m_own)
    {}
    Message *get() { return m_message; }

private:
    Message m_own;  // empty when the message lives on the arena
    Message *m_message;
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
            (method->service->*method->request)(&call->m_context, call->m_request.get(),
                                                &call->m_writer, queue, queue, call);
        });
        if (!asked)
            delete call;
    }

    void proceed(bool ok) override
    {
        if (m_answered || !ok) {  // the answer went out (or the call never came): done
            delete this;
            return;
        }
        ask(m_method);
        if (m_method->run == RpcLoop::Run::Inline)
            m_method->handler(this, m_request.get(), m_reply.get());
        else
            m_method->loop->post(
                [this] { m_method->handler(this, m_request.get(), m_reply.get()); });
    }

    const grpc::ServerContextBase &server() const override { return m_context; }
    UnaryReactor *DefaultReactor() override { return this; }

    // From any thread; the answer starts on the loop's thread, like every operation of the
    // call, so the call is only ever touched by one thread at a time.
    void Finish(const grpc::Status &status) override
    {
        m_method->loop->runOnLoop([this, status] {
            m_answered = true;
            bool started = m_method->loop->begin([&] {
                if (status.ok())
                    m_writer.Finish(*m_reply.get(), status, this);
                else
                    m_writer.FinishWithError(status, this);
            });
            if (!started)
                delete this;
        });
    }

private:
    explicit UnaryCall(std::shared_ptr<const Method> method) : m_method(std::move(method)) {}

    std::shared_ptr<const Method> m_method;
    google::protobuf::Arena m_arena;
    MessageSlot<Request> m_request{&m_arena};
    MessageSlot<Reply> m_reply{&m_arena};
    grpc::ServerContext m_context;
    grpc::ServerAsyncResponseWriter<Reply> m_writer{&m_context};
    bool m_answered = false;
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
