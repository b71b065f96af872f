#pragma once

#include <chrono>
#include <string>

#include <sys/types.h>

// CPU accounting for the benchmarks: per process, this process, the whole machine.
namespace testsupport::bench {

using Clock = std::chrono::steady_clock;

double processCpuSeconds(pid_t pid);  // user + system so far, from /proc/<pid>/stat
double selfCpuSeconds();
double machineBusySeconds();  // all cores, from /proc/stat

// The median time of one synchronous 4 KiB write (write + fdatasync) to a file in `dir`, in ms:
// the disk's floor under every durable decision, measured where the database lives.
double syncWriteMs(const std::string &dir, int samples = 200);

struct CpuSample {
    double coordinator = 0, participant = 0, bench = 0, machine = 0;
    Clock::time_point at;
};

}  // namespace testsupport::bench
