#pragma once
// A CPU reading: the raw /proc/stat, /proc/loadavg, /proc/uptime and CPU pressure, and
// the shares and rates derived from two snapshots.
#include <pcm/sample/loadavg.hpp>
#include <pcm/sample/pressure.hpp>
#include <pcm/sample/proc_stat.hpp>
#include <pcm/sample/reading.hpp>
#include <pcm/sample/uptime.hpp>

#include <optional>
#include <vector>

namespace pcm::sample {

/// How a CPU's time between two snapshots divides up, in percent (summing to 100).
/// user = user + nice, system = system + irq + softirq, busy = user + system + steal.
struct CpuShare {
    double user = 0, system = 0, iowait = 0, steal = 0, idle = 0, busy = 0;
};

/// The share between two snapshots of one CPU, or nothing when no time passed or the
/// counters went backwards as a whole (CPU re-plugged, counters reset). A single column
/// that steps back while the total advances (iowait does, on NO_HZ kernels) counts as 0.
std::optional<CpuShare> cpu_share(const CpuTimes& before, const CpuTimes& after) noexcept;

/// Per-second rate of a counter, or nothing if it went backwards or no time passed.
std::optional<double> counter_rate(std::uint64_t before, std::uint64_t after, double seconds) noexcept;

struct CpuShareEntry {
    int id = 0;
    std::optional<CpuShare> share;  ///< nothing for a CPU not present in the previous snapshot
};

struct CpuReading {
    ReadingHeader header;
    ProcStat stat;
    LoadAvg load;
    Uptime uptime;
    Pressure pressure;
    std::optional<CpuShare> total;    ///< all CPUs together
    std::vector<CpuShareEntry> cpus;  ///< same order as stat.cpus
    std::optional<double> context_switches_per_s, interrupts_per_s, forks_per_s;
};

/// Fills the derived part of `out` by comparing `out.stat` with `before`, taken
/// `seconds` earlier. CPUs are matched by id, so one going offline or coming back shifts
/// nothing else; a CPU new since `before` gets counters but no share.
void derive_cpu(const ProcStat& before, double seconds, CpuReading& out);

}  // namespace pcm::sample
