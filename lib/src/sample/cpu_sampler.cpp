#include <pcm/sample/cpu_sampler.hpp>

#include "load.hpp"

namespace pcm::sample {

CpuSampler::CpuSampler(const std::string& proc_root)
    : stat_(proc_root + "/stat"),
      loadavg_(proc_root + "/loadavg"),
      uptime_(proc_root + "/uptime"),
      pressure_(proc_root + "/pressure/cpu") {}

void CpuSampler::set_proc_root(const std::string& proc_root) {
    stat_ = ProcFile(proc_root + "/stat");
    loadavg_ = ProcFile(proc_root + "/loadavg");
    uptime_ = ProcFile(proc_root + "/uptime");
    pressure_ = ProcFile(proc_root + "/pressure/cpu");
}

const CpuReading& CpuSampler::sample() {
    CpuReading& r = reading_;
    detail::begin(r.header);
    r.total.reset();
    r.cpus.clear();
    r.context_switches_per_s = r.interrupts_per_s = r.forks_per_s = std::nullopt;

    if (detail::load(stat_, &parse_proc_stat, r.stat, r.header.error) != detail::Loaded::ok) {
        r.stat.cpus.clear();
        r.stat.total = {};
    } else {
        if (has_baseline_) {
            r.header.interval_s = static_cast<double>(r.header.taken.mono_ns - baseline_ns_) / 1e9;
            derive_cpu(baseline_, r.header.interval_s, r);
        } else {
            for (const CpuLine& cpu : r.stat.cpus) r.cpus.push_back({cpu.id, std::nullopt});
        }
        baseline_ = r.stat;  // reuses baseline_'s storage
        baseline_ns_ = r.header.taken.mono_ns;
        has_baseline_ = true;
    }
    if (detail::load(loadavg_, &parse_loadavg, r.load, r.header.error) != detail::Loaded::ok) r.load = {};
    if (detail::load(uptime_, &parse_uptime, r.uptime, r.header.error) != detail::Loaded::ok) r.uptime = {};
    detail::load_pressure(pressure_, r.pressure, r.header.error);
    return r;
}

}  // namespace pcm::sample
