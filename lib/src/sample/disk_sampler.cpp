#include <pcm/sample/disk_sampler.hpp>

#include "load.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

namespace pcm::sample {

DiskSampler::DiskSampler(const DiskOptions& options, const std::string& proc_root, std::string udev_data)
    : diskstats_(proc_root + "/diskstats"),
      pressure_(proc_root + "/pressure/io"),
      udev_data_(std::move(udev_data)),
      filter_(options.include, options.exclude) {}

void DiskSampler::reconfigure(const DiskOptions& options, const std::string& proc_root) {
    filter_ = NameFilter(options.include, options.exclude);
    diskstats_ = ProcFile(proc_root + "/diskstats");
    pressure_ = ProcFile(proc_root + "/pressure/io");
}

void DiskSampler::read_udev(DiskEntry& entry) const {
    char path[512];
    std::snprintf(path, sizeof path, "%s/b%u:%u", udev_data_.c_str(), entry.line.major, entry.line.minor);
    char text[16384];
    std::size_t length = 0;
    if (int fd = ::open(path, O_RDONLY | O_CLOEXEC); fd >= 0) {
        ssize_t n = ::read(fd, text, sizeof text);
        ::close(fd);
        length = n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    parse_udev_properties(std::string_view(text, length), entry.udev);  // none: every property empty
}

const DiskReading& DiskSampler::sample() {
    DiskReading& r = reading_;
    detail::begin(r.header);
    detail::Loaded loaded = detail::load(diskstats_, &parse_diskstats, lines_, r.header.error);
    if (loaded == detail::Loaded::unreadable) lines_.clear();

    double seconds = has_baseline_ ? static_cast<double>(r.header.taken.mono_ns - baseline_ns_) / 1e9 : 0;
    std::size_t count = 0;
    for (const DiskLine& line : lines_) {
        if (!filter_.wanted(line.name)) continue;
        if (count == r.disks.size()) r.disks.emplace_back();
        DiskEntry& entry = r.disks[count];
        const DiskLine* before = has_baseline_ ? find_named(baseline_, line.name, count) : nullptr;
        entry.rates = before ? disk_rates(before->counters, line.counters, seconds) : std::nullopt;
        bool appeared =
            entry.line.name != line.name || entry.line.major != line.major || entry.line.minor != line.minor;
        entry.line = line;
        if (appeared) read_udev(entry);
        ++count;
    }
    r.disks.resize(count);
    if (loaded != detail::Loaded::unreadable) {
        r.header.interval_s = seconds;
        baseline_.resize(count);
        for (std::size_t i = 0; i < count; ++i) baseline_[i] = r.disks[i].line;
        baseline_ns_ = r.header.taken.mono_ns;
        has_baseline_ = true;
    }
    detail::load_pressure(pressure_, r.pressure, r.header.error);
    return r;
}

}  // namespace pcm::sample
