#pragma once
// Takes disk readings from procfs.
#include <pcm/sample/disk_reading.hpp>
#include <pcm/sample/proc_file.hpp>
#include <pcm/sample/sampler_options.hpp>

#include <pcm/sample/name_filter.hpp>
#include <string>
#include <utility>
#include <vector>

namespace pcm::sample {

/// Reads /proc/diskstats and /proc/pressure/io under `proc_root`. Patterns are matched
/// once per device name, when it first appears, so a stable device set costs no pattern
/// work and no allocation per sample.
class DiskSampler {
public:
    /// Throws std::invalid_argument for an invalid pattern.
    /// `udev_data` is udev's database, where the devices' model, serial and path are.
    explicit DiskSampler(const DiskOptions& options = {}, const std::string& proc_root = "/proc",
                         std::string udev_data = "/run/udev/data");

    const DiskReading& sample();
    const DiskReading& reading() const noexcept { return reading_; }

    /// New patterns and procfs root from the next sample on; rates continue for devices
    /// still reported. Throws std::invalid_argument (and changes nothing) for an invalid pattern.
    void reconfigure(const DiskOptions& options, const std::string& proc_root);

private:
    void read_udev(DiskEntry& entry) const;

    ProcFile diskstats_, pressure_;
    std::string udev_data_;
    NameFilter filter_;
    std::vector<DiskLine> lines_, baseline_;
    std::int64_t baseline_ns_ = 0;
    bool has_baseline_ = false;
    DiskReading reading_;
};

}  // namespace pcm::sample
