#pragma once

#include <absl/synchronization/mutex.h>

namespace coord::server {

// Debian builds Abseil with its mutex deadlock detection on: every absl::Mutex lock in gRPC
// walked a lock graph (GraphCycles::GetId, ~1% of the coordinator's CPU under load). Our own
// locks are std::mutex; gRPC's are its business. Call first thing in main().
inline void skipMutexDeadlockDetection()
{
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace coord::server
