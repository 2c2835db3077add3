#include <pcm/sample/memory_sampler.hpp>

#include "load.hpp"

#include <pcm/sample/vmstat.hpp>

namespace pcm::sample {

MemorySampler::MemorySampler(const std::string& proc_root)
    : meminfo_(proc_root + "/meminfo"), vmstat_(proc_root + "/vmstat"), pressure_(proc_root + "/pressure/memory") {}

void MemorySampler::set_proc_root(const std::string& proc_root) {
    meminfo_ = ProcFile(proc_root + "/meminfo");
    vmstat_ = ProcFile(proc_root + "/vmstat");
    pressure_ = ProcFile(proc_root + "/pressure/memory");
}

const MemoryReading& MemorySampler::sample() {
    MemoryReading& r = reading_;
    detail::begin(r.header);
    if (detail::load(meminfo_, &parse_meminfo, r.meminfo, r.header.error) == detail::Loaded::ok) {
        r.summary = summarize(r.meminfo);
    } else {
        r.meminfo.fields.clear();
        r.summary = {};
    }
    // A malformed line is reported and skipped; the other counters stay good.
    if (detail::load_optional(vmstat_, &parse_vmstat, r.vmstat, r.header.error) == detail::Loaded::unreadable)
        r.vmstat.clear();
    detail::load_pressure(pressure_, r.pressure, r.header.error);
    return r;
}

}  // namespace pcm::sample
