#include <pcm/sample/disk_sampler.hpp>

#include "load.hpp"

namespace pcm::sample {

DiskSampler::DiskSampler(const DiskOptions& options, const std::string& proc_root)
    : diskstats_(proc_root + "/diskstats"),
      pressure_(proc_root + "/pressure/io"),
      filter_(options.include, options.exclude) {}

void DiskSampler::reconfigure(const DiskOptions& options, const std::string& proc_root) {
    filter_ = NameFilter(options.include, options.exclude);
    diskstats_ = ProcFile(proc_root + "/diskstats");
    pressure_ = ProcFile(proc_root + "/pressure/io");
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
        entry.line = line;
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
