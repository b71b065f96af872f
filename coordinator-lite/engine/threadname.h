#pragma once

#include <pthread.h>

namespace coord::engine {

// Names the calling thread (at most 15 characters), so `top -H`, `perf report --sort comm` and
// a debugger say which part of the coordinator a thread is.
inline void nameThisThread(const char *name) { pthread_setname_np(pthread_self(), name); }

}  // namespace coord::engine
