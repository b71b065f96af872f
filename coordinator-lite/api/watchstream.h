#pragma once

#include "rpcloop.h"
#include "watchslots.h"

#include "txdesk/v1/coordinator.grpc.pb.h"

namespace coord::storage {
class Store;
}
namespace coord::engine {
class EventHub;
}

namespace coord::api {

class AccessGuard;

// What a Watch stream needs from the service.
struct WatchDeps {
    AccessGuard &guard;
    WatchSlots &slots;
    storage::Store &store;
    engine::EventHub &hub;
};

// Serves Coordinator.Watch on `loop`: each stream sends the events with seq > from_seq,
// replayed from the hub's tail or the store, then follows live publications. Never blocks the
// loop waiting for events; holds a watch slot of its client while open.
void serveWatch(RpcLoop &loop, ::txdesk::v1::Coordinator::AsyncService &service, WatchDeps deps);

}  // namespace coord::api
