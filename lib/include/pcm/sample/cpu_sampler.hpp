#pragma once
// Takes CPU readings from procfs.
#include <pcm/sample/cpu_reading.hpp>
#include <pcm/sample/proc_file.hpp>

#include <string>

namespace pcm::sample {

/// Reads /proc/stat, /proc/loadavg, /proc/uptime and /proc/pressure/cpu under
/// `proc_root`. Rates compare with the last snapshot that parsed, over the measured
/// time since it. No allocation per sample once the CPU set is stable.
class CpuSampler {
public:
    explicit CpuSampler(const std::string& proc_root = "/proc");

    /// Samples now; the reading stays valid until the next call.
    const CpuReading& sample();
    const CpuReading& reading() const noexcept { return reading_; }

    /// Reads from another procfs root from the next sample on.
    void set_proc_root(const std::string& proc_root);

private:
    ProcFile stat_, loadavg_, uptime_, pressure_;
    CpuReading reading_;
    ProcStat baseline_;
    std::int64_t baseline_ns_ = 0;
    bool has_baseline_ = false;
};

}  // namespace pcm::sample
