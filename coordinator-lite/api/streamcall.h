#pragma once

#include "rpcloop.h"

#include <memory>
#include <type_traits>
#include <mutex>

namespace coord::api {

// One server-streaming call on an RpcLoop: at most one write in flight, the status after the
// last write, and the call deleted once every one of its completions has come back. Subclasses
// say what to send (started, writable) and what to undo before deletion (ending), and make
// each call with `ask`.
//
// Everything runs on the loop's thread (work from other threads comes with RpcLoop::runOnLoop):
// gRPC's own synchronisation of a call is invisible to ThreadSanitizer, and one thread per call
// needs none. The guard's lock and `valid` flag let hand-overs find out the call has ended.
template <class Message>
class StreamCall
{
public:
    virtual ~StreamCall() = default;

protected:
    explicit StreamCall(RpcLoop &loop) : m_loop(loop) {}

    // The call arrived (on the loop's thread, lock held).
    virtual void started() = 0;
    // The previous write went out: write the next, if any (lock held).
    virtual void writable() = 0;
    // The call is over: undo what started() set up (lock not held: may wait on other locks).
    virtual void ending() {}

    // Every callback runs under this lock; work handed over takes it and checks `valid` (the
    // call may have ended meanwhile) before touching the call.
    struct Guard {
        std::recursive_mutex mutex;
        bool valid = true;
    };
    std::shared_ptr<Guard> guard() const { return m_guard; }

    // Lock held. True while a write is in flight or the stream is ending: write() would fail.
    bool busy() const { return m_writing || m_finishWanted; }

    // Lock held. False when a write is in flight or the stream is ending.
    bool write(const Message &message)
    {
        if (m_writing || m_finishWanted)
            return false;
        m_writing = true;
        if (!m_loop.begin([&] { m_writer.Write(message, &m_written); })) {
            m_writing = false;
            m_finishWanted = true;  // the loop is stopping: nothing more goes out
            m_finishDone = true;
            return false;
        }
        return true;
    }

    // Lock held. Ends the stream with `status` once the write in flight is back.
    void finish(const grpc::Status &status)
    {
        if (m_finishWanted)
            return;
        m_finishWanted = true;
        m_status = status;
        if (!m_writing)
            startFinish();
    }

    template <class Service, class Request>
    using RequestFn = void (Service::*)(grpc::ServerContext *, Request *,
                                        grpc::ServerAsyncWriter<Message> *, grpc::CompletionQueue *,
                                        grpc::ServerCompletionQueue *, void *);

    // Asks gRPC for the next call of `request` into `call` (its request message: `into`);
    // deletes `call` when the loop is stopping.
    template <class Service, class Request>
    static void ask(StreamCall *call, std::type_identity_t<Service> &service,
                    RequestFn<Service, Request> request, Request *into)
    {
        call->m_context.AsyncNotifyWhenDone(&call->m_doneTag);
        RpcLoop &loop = call->m_loop;
        bool asked = loop.begin([&] {
            (service.*request)(&call->m_context, into, &call->m_writer, loop.queue(), loop.queue(),
                               &call->m_arrivedTag);
        });
        if (!asked)
            delete call;
    }

    RpcLoop &m_loop;
    grpc::ServerContext m_context;
    grpc::ServerAsyncWriter<Message> m_writer{&m_context};

private:
    enum class Kind { Arrived, Written, Finished, Done };
    struct Event final : RpcLoop::Tag {
        Event(StreamCall *c, Kind k) : call(c), kind(k) {}
        void proceed(bool ok) override { call->on(kind, ok); }
        StreamCall *call;
        Kind kind;
    };

    void startFinish()
    {
        if (!m_loop.begin([&] { m_writer.Finish(m_status, &m_finished); }))
            m_finishDone = true;
    }

    void on(Kind kind, bool ok)
    {
        if (kind == Kind::Arrived && !ok) {  // never came: the server is shutting down
            delete this;
            return;
        }
        auto guard = m_guard;
        bool over = false;
        {
            std::lock_guard lock(guard->mutex);
            switch (kind) {
            case Kind::Arrived:
                started();
                break;
            case Kind::Written:
                m_writing = false;
                if (!ok && !m_finishWanted) {  // the client is gone
                    m_finishWanted = true;
                    m_status = grpc::Status::CANCELLED;
                }
                if (m_finishWanted)  // asked for while the write was in flight, or just now
                    startFinish();
                else
                    writable();
                break;
            case Kind::Finished:
                m_finishDone = true;
                break;
            case Kind::Done:
                m_doneArrived = true;
                if (m_context.IsCancelled())
                    finish(grpc::Status::CANCELLED);
                break;
            }
            over = m_doneArrived && m_finishDone && !m_writing;
        }
        if (!over)
            return;
        ending();
        {
            std::lock_guard lock(guard->mutex);
            guard->valid = false;
        }
        delete this;
    }

    std::shared_ptr<Guard> m_guard = std::make_shared<Guard>();
    Event m_arrivedTag{this, Kind::Arrived};
    Event m_written{this, Kind::Written};
    Event m_finished{this, Kind::Finished};
    Event m_doneTag{this, Kind::Done};
    grpc::Status m_status;
    bool m_writing = false;
    bool m_finishWanted = false;
    bool m_finishDone = false;
    bool m_doneArrived = false;
};

}  // namespace coord::api
