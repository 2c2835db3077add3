#pragma once
// /proc/stat: CPU times and the kernel's activity counters.
#include <pcm/sample/text.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace pcm::sample {

/// Time one CPU (or all of them) spent in each state, in USER_HZ ticks since boot.
/// Older kernels print fewer columns; absent ones stay 0 and `columns` says how many came.
struct CpuTimes {
    std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0, guest = 0,
                  guest_nice = 0;
    int columns = 0;

    /// All time accounted. guest and guest_nice are left out: the kernel already counts
    /// them inside user and nice.
    std::uint64_t total() const noexcept { return user + nice + system + idle + iowait + irq + softirq + steal; }
};

/// One `cpuN` line.
struct CpuLine {
    int id = 0;
    CpuTimes times;
};

/// The parsed file. Counters the kernel did not print stay 0.
struct ProcStat {
    CpuTimes total;
    std::vector<CpuLine> cpus;    ///< online CPUs only, in the kernel's order (ascending id)
    std::uint64_t ctxt = 0;       ///< context switches since boot
    std::uint64_t intr = 0;       ///< interrupts serviced since boot
    std::uint64_t processes = 0;  ///< forks since boot
    std::uint64_t procs_running = 0;
    std::uint64_t procs_blocked = 0;
    std::uint64_t btime = 0;  ///< boot time, seconds since the epoch
};

/// Parses /proc/stat text into `out`, reusing its storage (no allocation once `out.cpus`
/// has held as many CPUs before). Fails when the aggregate `cpu` line is missing, a cpu
/// line has fewer than 4 or more than 10 numeric columns, or a known counter is not a number.
ParseStatus parse_proc_stat(std::string_view text, ProcStat& out);

}  // namespace pcm::sample
