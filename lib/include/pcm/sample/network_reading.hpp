#pragma once
// A network reading: per-interface counters from /proc/net/dev, the interface's sysfs
// attributes, and the rates derived from two snapshots.
#include <pcm/sample/net_class.hpp>
#include <pcm/sample/net_dev.hpp>
#include <pcm/sample/reading.hpp>

#include <optional>
#include <vector>

namespace pcm::sample {

/// What an interface did between two snapshots, per second of measured time.
struct NetworkRates {
    double receive_bytes_per_s = 0, transmit_bytes_per_s = 0;
    double receive_packets_per_s = 0, transmit_packets_per_s = 0;
    double errors_per_s = 0;  ///< receive and transmit errors together
    double drops_per_s = 0;   ///< receive and transmit drops together
};

/// The rates between two snapshots, or nothing when no time passed or any counter went
/// backwards (the interface was deleted and made again under the same name).
std::optional<NetworkRates> network_rates(const NetDevCounters& before, const NetDevCounters& after,
                                          double seconds) noexcept;

struct InterfaceEntry {
    NetDevLine line;
    NetClass net_class;
    std::optional<NetworkRates> rates;  ///< nothing for an interface new since the previous snapshot
};

struct NetworkReading {
    ReadingHeader header;
    std::vector<InterfaceEntry> interfaces;  ///< those the include/exclude patterns let through
};

}  // namespace pcm::sample
