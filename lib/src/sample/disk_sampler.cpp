#include <pcm/sample/disk_sampler.hpp>

#include "load.hpp"

namespace pcm::sample {
namespace {
// Device names seen but gone are remembered; past this many the memory starts afresh,
// so a host that creates and destroys devices forever cannot grow it without bound.
constexpr std::size_t max_remembered_names = 4096;
}  // namespace

DiskSampler::DiskSampler(const DiskOptions& options, const std::string& proc_root)
    : diskstats_(proc_root + "/diskstats"),
      pressure_(proc_root + "/pressure/io"),
      include_(options.include),
      exclude_(options.exclude) {}

void DiskSampler::reconfigure(const DiskOptions& options, const std::string& proc_root) {
    Pattern include(options.include), exclude(options.exclude);
    include_ = std::move(include);
    exclude_ = std::move(exclude);
    decisions_.clear();
    diskstats_ = ProcFile(proc_root + "/diskstats");
    pressure_ = ProcFile(proc_root + "/pressure/io");
}

bool DiskSampler::wanted(const std::string& name) {
    for (const auto& [known, verdict] : decisions_)
        if (known == name) return verdict;
    bool verdict = (include_.empty() || include_.search(name)) && !exclude_.search(name);
    if (decisions_.size() >= max_remembered_names) decisions_.clear();
    decisions_.emplace_back(name, verdict);
    return verdict;
}

const DiskLine* DiskSampler::baseline_of(const DiskLine& line, std::size_t hint) const noexcept {
    if (hint < baseline_.size() && baseline_[hint].name == line.name) return &baseline_[hint];
    for (const DiskLine& old : baseline_)
        if (old.name == line.name) return &old;
    return nullptr;
}

const DiskReading& DiskSampler::sample() {
    DiskReading& r = reading_;
    detail::begin(r.header);
    detail::Loaded loaded = detail::load(diskstats_, &parse_diskstats, lines_, r.header.error);
    if (loaded == detail::Loaded::unreadable) lines_.clear();

    double seconds = has_baseline_ ? static_cast<double>(r.header.taken.mono_ns - baseline_ns_) / 1e9 : 0;
    std::size_t count = 0;
    for (const DiskLine& line : lines_) {
        if (!wanted(line.name)) continue;
        if (count == r.disks.size()) r.disks.emplace_back();
        DiskEntry& entry = r.disks[count];
        const DiskLine* before = has_baseline_ ? baseline_of(line, count) : nullptr;
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
