#include <pcm/sample/disk_reading.hpp>

#include <algorithm>

namespace pcm::sample {

std::optional<DiskRates> disk_rates(const DiskCounters& before, const DiskCounters& after, double seconds) noexcept {
    if (seconds <= 0) return std::nullopt;
    std::size_t shared = std::min(before.count, after.count);
    for (std::size_t i = 0; i < shared; ++i)
        if (i != DiskCounters::in_flight && after.values[i] < before.values[i]) return std::nullopt;

    auto delta = [&](DiskCounters::Field f) { return static_cast<double>(after[f] - before[f]); };
    constexpr double sector_bytes = 512;
    const double ms = seconds * 1000;
    DiskRates r;
    r.read_bytes_per_s = delta(DiskCounters::sectors_read) * sector_bytes / seconds;
    r.write_bytes_per_s = delta(DiskCounters::sectors_written) * sector_bytes / seconds;
    r.reads_per_s = delta(DiskCounters::reads) / seconds;
    r.writes_per_s = delta(DiskCounters::writes) / seconds;
    r.utilization_percent = std::clamp(delta(DiskCounters::io_ms) / ms * 100, 0.0, 100.0);
    double ios = delta(DiskCounters::reads) + delta(DiskCounters::writes);
    r.await_ms = ios > 0 ? (delta(DiskCounters::read_ms) + delta(DiskCounters::write_ms)) / ios : 0;
    r.queue_depth = delta(DiskCounters::weighted_io_ms) / ms;
    return r;
}

}  // namespace pcm::sample
