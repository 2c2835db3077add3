#pragma once
// Takes memory readings from procfs.
#include <pcm/sample/memory_reading.hpp>
#include <pcm/sample/proc_file.hpp>

#include <string>

namespace pcm::sample {

/// Reads /proc/meminfo, /proc/vmstat and /proc/pressure/memory under `proc_root`. No
/// allocation per sample once the kernel prints the same fields. A missing vmstat or
/// pressure file (a kernel without them) is no error.
class MemorySampler {
public:
    explicit MemorySampler(const std::string& proc_root = "/proc");

    const MemoryReading& sample();
    const MemoryReading& reading() const noexcept { return reading_; }

    /// Reads from another procfs root from the next sample on.
    void set_proc_root(const std::string& proc_root);

private:
    ProcFile meminfo_, vmstat_, pressure_;
    MemoryReading reading_;
};

}  // namespace pcm::sample
