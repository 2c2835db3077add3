#pragma once
// Takes kernel readings from procfs and adjtimex(2).
#include <pcm/sample/kernel_reading.hpp>
#include <pcm/sample/proc_file.hpp>

#include <string>
#include <vector>

namespace pcm::sample {

/// adjtimex(2), replaceable so that tests can refuse it as a sandbox does.
using AdjtimexFunction = int (*)(struct timex* buffer);

/// Reads the files of KernelReading under `proc_root`, keeping each open, and asks
/// adjtimex(2) for the clock (read-only: modes 0). A missing optional file (snmp6 without
/// IPv6, the conntrack files without the module) or a refused adjtimex is no error; a
/// file that cannot be parsed is. Allocation-free once the kernel prints the same lines.
class KernelSampler {
public:
    explicit KernelSampler(const std::string& proc_root = "/proc", AdjtimexFunction adjtimex_function = &::adjtimex);

    const KernelReading& sample();
    const KernelReading& reading() const noexcept { return reading_; }

    /// Reads from another procfs root from the next sample on.
    void set_proc_root(const std::string& proc_root);

private:
    std::vector<ProcFile> files_;  // one per file of the table in kernel_sampler.cpp
    AdjtimexFunction adjtimex_;
    KernelReading reading_;
};

}  // namespace pcm::sample
