#pragma once

#include <absl/synchronization/mutex.h>

#include <malloc.h>

namespace coord::server {

// Keeps freed memory in the allocator. With many threads, glibc otherwise hands arena tops back
// to the kernel (madvise/brk) on large frees, and the page faults and TLB-shootdown IPIs that
// follow cost more CPU than the coordinator's own work (measured with perf under load: ~30%).
// Call first thing in main().
inline void keepFreedMemoryInTheAllocator()
{
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
}

// Debian builds Abseil with its mutex deadlock detection on: every absl::Mutex lock in gRPC
// walked a lock graph (GraphCycles::GetId, ~1% of the coordinator's CPU under load). Our own
// locks are std::mutex; gRPC's are its business. Call first thing in main().
inline void skipMutexDeadlockDetection()
{
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace coord::server
