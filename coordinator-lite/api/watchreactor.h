#pragma once

#include "protoconvert.h"
#include "statusmapping.h"
#include "watchslots.h"

#include "txdesk/v1/coordinator.grpc.pb.h"

#include <memory>

namespace coord::storage {
class Store;
}
namespace coord::engine {
class EventHub;
}

namespace coord::api {

// Streams events with seq > from_seq: replays from the hub's tail or the store, then follows
// live publications. Never blocks a gRPC thread waiting for events. Holds `slot` while open.
grpc::ServerWriteReactor<pb::Event> *startWatch(grpc::CallbackServerContext *context,
                                                const pb::WatchRequest *request,
                                                storage::Store &store, engine::EventHub &hub,
                                                std::unique_ptr<WatchSlots::Slot> slot);

// A stream that ends at once with `status` (a refused or invalid Watch).
grpc::ServerWriteReactor<pb::Event> *rejectWatch(const grpc::Status &status);

}  // namespace coord::api
