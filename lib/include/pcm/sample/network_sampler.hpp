#pragma once
// Takes network readings from procfs and sysfs.
#include <pcm/sample/name_filter.hpp>
#include <pcm/sample/network_reading.hpp>
#include <pcm/sample/proc_file.hpp>
#include <pcm/sample/sampler_options.hpp>

#include <memory>
#include <string>
#include <vector>

namespace pcm::sample {

/// Reads /proc/net/dev under `proc_root` (the daemon's network namespace) and, for each
/// interface reported, its attributes under `sys_root`/class/net/<name>/. Interfaces that
/// appear or vanish between samples (a container's veth) are taken as they come: a new
/// one has counters but no rates until its second sample, a vanished one is dropped, and
/// one made again under a known name starts over (its counters went back).
/// Allocation-free once the same interfaces come back.
///
/// sysfs attributes cost a file each (and `speed` an ethtool query in the driver), so
/// each sample reads only the link's state (operstate, carrier, carrier_changes,
/// rx_nohandler), from files kept open for the first `max_kept_open` interfaces; the
/// settings (MTU, speed, duplex, addresses, flags...) are read when the interface appears,
/// when its state changed, and every `full_read_every` samples.
class NetworkSampler {
public:
    /// Throws std::invalid_argument for an invalid pattern.
    explicit NetworkSampler(const NetworkOptions& options = {}, const std::string& proc_root = "/proc",
                            const std::string& sys_root = "/sys");
    ~NetworkSampler();
    NetworkSampler(const NetworkSampler&) = delete;
    NetworkSampler& operator=(const NetworkSampler&) = delete;

    const NetworkReading& sample();
    const NetworkReading& reading() const noexcept { return reading_; }

    /// New patterns and roots from the next sample on. Throws std::invalid_argument (and
    /// changes nothing) for an invalid pattern.
    void reconfigure(const NetworkOptions& options, const std::string& proc_root, const std::string& sys_root);

private:
    static constexpr unsigned full_read_every = 60;
    static constexpr std::size_t max_kept_open = 16;  // 4 descriptors each: 64 at most
    struct StateFiles;

    void read_class(const std::string& name, NetClass& out, bool appeared, StateFiles* files) const noexcept;

    ProcFile net_dev_;
    std::string class_dir_;  // <sys_root>/class/net
    NameFilter filter_;
    std::vector<NetDevLine> lines_, baseline_;
    std::int64_t baseline_ns_ = 0;
    bool has_baseline_ = false;
    NetworkReading reading_;
    std::vector<std::unique_ptr<StateFiles>> state_files_;  // by index of reading_.interfaces
};

}  // namespace pcm::sample
