#include "watchstream.h"

#include "accessguard.h"
#include "protoconvert.h"
#include "statusmapping.h"
#include "streamcall.h"

#include "engine/eventhub.h"
#include "storage/store.h"

#include <deque>

namespace coord::api {
namespace {

constexpr int kBatch = 512;

using Service = ::txdesk::v1::Coordinator::AsyncService;

class WatchStream final : public StreamCall<pb::Event>
{
public:
    static void ask(RpcLoop &loop, Service &service, const WatchDeps &deps)
    {
        auto *call = new WatchStream(loop, service, deps);
        StreamCall::ask(call, service, &Service::RequestWatch, &call->m_request);
    }

private:
    WatchStream(RpcLoop &loop, Service &service, const WatchDeps &deps)
        : StreamCall(loop), m_service(service), m_deps(deps)
    {}

    void started() override
    {
        ask(m_loop, m_service, m_deps);
        if (auto actor = m_deps.guard.check(m_context, domain::Role::Viewer, "Watch"); !actor.ok())
            return finish(toGrpc(actor.status()));
        auto slot = m_deps.slots.acquire(m_deps.guard.clientOf(m_context));
        if (!slot.ok())
            return finish(toGrpc(slot.status()));
        m_slot = std::move(*slot);
        if (m_request.from_seq() < 0)
            return finish({grpc::StatusCode::INVALID_ARGUMENT, "from_seq: must be >= 0"});
        m_sentSeq = m_request.from_seq();
        auto guard = this->guard();
        // Published on the committer's thread: the stream writes on the loop's.
        m_listener = m_deps.hub.addListener([this, guard] {
            m_loop.runOnLoop([this, guard] {
                std::lock_guard lock(guard->mutex);
                if (guard->valid)
                    pump();
            });
        });
        m_listening = true;
        pump();
    }

    void writable() override { pump(); }

    void ending() override
    {
        if (m_listening)
            m_deps.hub.removeListener(m_listener);
        m_slot.reset();
    }

    // Lock held: refill the queue if empty, then write the next event.
    void pump()
    {
        if (busy() || m_reading)
            return;
        if (m_queue.empty())
            refill();
        if (m_queue.empty())
            return;
        m_message.Clear();  // the message is reused: no field of the previous event may leak
        toProto(m_queue.front(), &m_message);
        if (!write(m_message))
            return;
        m_sentSeq = m_queue.front().seq;
        m_queue.pop_front();
    }

    void refill()
    {
        if (m_sentSeq >= m_deps.hub.lastSeq())
            return;
        auto recent = m_deps.hub.recentAfter(m_sentSeq, kBatch);
        if (recent) {
            m_queue.assign(recent->begin(), recent->end());
            return;
        }
        // Older than the hub's tail: read from the store on a worker, not on the loop.
        m_reading = true;
        m_loop.post([this, guard = guard(), store = &m_deps.store, after = m_sentSeq] {
            auto stored = std::make_shared<absl::StatusOr<std::vector<domain::Event>>>(
                store->eventsAfter(after, kBatch));
            m_loop.runOnLoop([this, guard, stored] {
                std::lock_guard lock(guard->mutex);
                if (!guard->valid)
                    return;
                m_reading = false;
                if (!stored->ok())
                    return finish(toGrpc(stored->status()));
                m_queue.assign((*stored)->begin(), (*stored)->end());
                pump();
            });
        });
    }

    Service &m_service;
    WatchDeps m_deps;
    pb::WatchRequest m_request;
    std::unique_ptr<WatchSlots::Slot> m_slot;  // freed when the stream is over
    int m_listener = 0;
    bool m_listening = false;
    bool m_reading = false;  // a worker reads the next batch from the store
    int64_t m_sentSeq = 0;
    std::deque<domain::Event> m_queue;
    pb::Event m_message;
};

}  // namespace

void serveWatch(RpcLoop &loop, Service &service, WatchDeps deps)
{
    loop.serve([&loop, &service, deps] { WatchStream::ask(loop, service, deps); });
}

}  // namespace coord::api
