#pragma once
// Takes kernel readings from procfs and adjtimex(2).
#include <pcm/sample/kernel_reading.hpp>
#include <pcm/sample/proc_file.hpp>

#include <string>
#include <vector>

namespace pcm::sample {

/// adjtimex(2), replaceable so that tests can refuse it as a sandbox does.
using AdjtimexFunction = int (*)(struct timex* buffer);

/// Reads the files of KernelReading under `proc_root` and `sys_root`, and os-release(5),
/// keeping each open, and asks adjtimex(2) for the clock (read-only: modes 0). A missing optional file (snmp6 without
/// IPv6, the conntrack files without the module) or a refused adjtimex is no error; a
/// file that cannot be parsed is. Allocation-free once the kernel prints the same lines.
class KernelSampler {
public:
    /// `os_release` is the distribution's os-release(5) file ("/usr/lib/os-release" is read
    /// where the usual "/etc/os-release" is absent).
    explicit KernelSampler(const std::string& proc_root = "/proc", const std::string& sys_root = "/sys",
                           AdjtimexFunction adjtimex_function = &::adjtimex,
                           const std::string& os_release = "/etc/os-release");

    const KernelReading& sample();
    const KernelReading& reading() const noexcept { return reading_; }

    /// Reads from other procfs and sysfs roots from the next sample on.
    void set_roots(const std::string& proc_root, const std::string& sys_root);

private:
    std::vector<ProcFile> files_;  // one per file of the table in kernel_sampler.cpp
    AdjtimexFunction adjtimex_;
    ProcFile os_release_, os_release_fallback_;
    KernelReading reading_;
};

}  // namespace pcm::sample
