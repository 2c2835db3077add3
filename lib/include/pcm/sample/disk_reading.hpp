#pragma once
// A disk reading: per-device counters from /proc/diskstats, the rates derived from two
// snapshots, and I/O pressure.
#include <pcm/sample/diskstats.hpp>
#include <pcm/sample/pressure.hpp>
#include <pcm/sample/reading.hpp>
#include <pcm/sample/udev_properties.hpp>

#include <optional>
#include <vector>

namespace pcm::sample {

/// What a device did between two snapshots, per second of measured time.
struct DiskRates {
    double read_bytes_per_s = 0, write_bytes_per_s = 0;
    double reads_per_s = 0, writes_per_s = 0;
    double utilization_percent = 0;  ///< share of time with I/O in flight, 0..100
    double await_ms = 0;             ///< average time per completed read or write; 0 without I/O
    double queue_depth = 0;          ///< average requests in flight (weighted I/O time / time)
};

/// The rates between two snapshots, or nothing when no time passed or any counter went
/// backwards (wrapped, or the device was removed and added again).
std::optional<DiskRates> disk_rates(const DiskCounters& before, const DiskCounters& after, double seconds) noexcept;

struct DiskEntry {
    DiskLine line;
    std::optional<DiskRates> rates;  ///< nothing for a device new since the previous snapshot
    UdevProperties udev;             ///< read when the device appears
};

struct DiskReading {
    ReadingHeader header;
    std::vector<DiskEntry> disks;  ///< the devices the include/exclude patterns let through
    Pressure pressure;             ///< I/O pressure
};

}  // namespace pcm::sample
