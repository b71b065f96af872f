#pragma once

#include <chrono>

#include <sys/types.h>

// CPU accounting for the benchmarks: per process, this process, the whole machine.
namespace testsupport::bench {

using Clock = std::chrono::steady_clock;

double processCpuSeconds(pid_t pid);  // user + system so far, from /proc/<pid>/stat
double selfCpuSeconds();
double machineBusySeconds();  // all cores, from /proc/stat

struct CpuSample {
    double coordinator = 0, participant = 0, bench = 0, machine = 0;
    Clock::time_point at;
};

}  // namespace testsupport::bench
