#pragma once

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

}  // namespace coord::server
