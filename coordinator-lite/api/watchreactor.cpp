#include "watchreactor.h"

#include "engine/eventhub.h"
#include "storage/store.h"

#include <deque>
#include <mutex>

namespace coord::api {
namespace {

constexpr int kBatch = 512;

class WatchReactor : public grpc::ServerWriteReactor<pb::Event>
{
public:
    WatchReactor(int64_t fromSeq, storage::Store &store, engine::EventHub &hub,
                 std::unique_ptr<WatchSlots::Slot> slot)
        : m_store(store), m_hub(hub), m_slot(std::move(slot)), m_sentSeq(fromSeq)
    {
        auto alive = m_alive;
        m_listener = m_hub.addListener([this, alive] {
            std::lock_guard lock(alive->mutex);
            if (alive->valid)
                pump();
        });
        std::lock_guard lock(alive->mutex);
        pump();
    }

    void OnWriteDone(bool ok) override
    {
        auto alive = m_alive;  // Finish() may end in OnDone(); keep the mutex alive
        std::lock_guard lock(alive->mutex);
        m_writing = false;
        if (!ok) {
            finish(grpc::Status::CANCELLED);
            return;
        }
        pump();
    }

    void OnCancel() override
    {
        auto alive = m_alive;
        std::lock_guard lock(alive->mutex);
        finish(grpc::Status::CANCELLED);
    }

    void OnDone() override
    {
        m_hub.removeListener(m_listener);
        auto alive = m_alive;
        {
            std::lock_guard lock(alive->mutex);
            alive->valid = false;
        }
        delete this;
    }

private:
    struct Alive {
        std::recursive_mutex mutex;  // gRPC may run a reaction inline
        bool valid = true;
    };

    // Called with m_alive->mutex held: refill the queue if empty, then write the next event.
    void pump()
    {
        if (m_finished || m_writing)
            return;
        if (m_queue.empty())
            refill();
        if (m_finished || m_queue.empty())
            return;
        m_message.Clear();  // the message is reused: no field of the previous event may leak
        toProto(m_queue.front(), &m_message);
        m_sentSeq = m_queue.front().seq;
        m_queue.pop_front();
        m_writing = true;
        StartWrite(&m_message);
    }

    void refill()
    {
        if (m_sentSeq >= m_hub.lastSeq())
            return;
        auto recent = m_hub.recentAfter(m_sentSeq, kBatch);
        if (recent) {
            m_queue.assign(recent->begin(), recent->end());
            return;
        }
        auto stored = m_store.eventsAfter(m_sentSeq, kBatch);
        if (!stored.ok()) {
            finish(toGrpc(stored.status()));
            return;
        }
        m_queue.assign(stored->begin(), stored->end());
    }

    void finish(const grpc::Status &status)
    {
        if (m_finished)
            return;
        m_finished = true;
        Finish(status);
    }

    storage::Store &m_store;
    engine::EventHub &m_hub;
    std::unique_ptr<WatchSlots::Slot> m_slot;  // freed with the reactor, once the stream is done
    std::shared_ptr<Alive> m_alive = std::make_shared<Alive>();
    int m_listener = 0;
    int64_t m_sentSeq;
    std::deque<domain::Event> m_queue;
    pb::Event m_message;
    bool m_writing = false;
    bool m_finished = false;
};

}  // namespace

grpc::ServerWriteReactor<pb::Event> *rejectWatch(const grpc::Status &status)
{
    struct Rejected : grpc::ServerWriteReactor<pb::Event> {
        explicit Rejected(const grpc::Status &s) { Finish(s); }
        void OnDone() override { delete this; }
    };
    return new Rejected(status);
}

grpc::ServerWriteReactor<pb::Event> *startWatch(grpc::CallbackServerContext *,
                                                const pb::WatchRequest *request,
                                                storage::Store &store, engine::EventHub &hub,
                                                std::unique_ptr<WatchSlots::Slot> slot)
{
    if (request->from_seq() < 0)
        return rejectWatch({grpc::StatusCode::INVALID_ARGUMENT, "from_seq: must be >= 0"});
    return new WatchReactor(request->from_seq(), store, hub, std::move(slot));
}

}  // namespace coord::api
