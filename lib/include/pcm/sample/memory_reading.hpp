#pragma once
// A memory reading: every /proc/meminfo field, the usual summary, every /proc/vmstat
// counter, and memory pressure.
#include <pcm/sample/meminfo.hpp>
#include <pcm/sample/named_value.hpp>
#include <pcm/sample/pressure.hpp>
#include <pcm/sample/reading.hpp>

#include <cstdint>
#include <vector>

namespace pcm::sample {

/// The figures people look at, in bytes. used = total - available, as `free` computes it.
struct MemorySummary {
    std::uint64_t total = 0, free = 0, available = 0, buffers = 0, cached = 0, shmem = 0, sreclaimable = 0, dirty = 0,
                  swap_total = 0, swap_free = 0, used = 0, swap_used = 0;
    double used_percent = 0, swap_used_percent = 0;
};

/// Summarises `meminfo`. Kernels before 3.14 have no MemAvailable: it is then estimated
/// as free + buffers + cached.
MemorySummary summarize(const Meminfo& meminfo) noexcept;

struct MemoryReading {
    ReadingHeader header;
    Meminfo meminfo;
    MemorySummary summary;
    std::vector<NamedValue> vmstat;  ///< every /proc/vmstat field (page faults, swapping, OOM kills...)
    Pressure pressure;
};

}  // namespace pcm::sample
