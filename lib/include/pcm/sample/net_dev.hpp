#pragma once
// /proc/net/dev: per network interface receive and transmit counters.
#include <pcm/sample/text.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pcm::sample {

/// The sixteen counters of one interface, in the kernel's column order (net/core/net-procfs.c).
struct NetDevCounters {
    enum Field : std::size_t {
        receive_bytes,
        receive_packets,
        receive_errs,
        receive_drop,
        receive_fifo,
        receive_frame,
        receive_compressed,
        receive_multicast,
        transmit_bytes,
        transmit_packets,
        transmit_errs,
        transmit_drop,
        transmit_fifo,
        transmit_colls,
        transmit_carrier,
        transmit_compressed,
    };
    static constexpr std::size_t count = 16;
    std::array<std::uint64_t, count> values{};

    std::uint64_t operator[](Field f) const noexcept { return values[f]; }
};

/// node_exporter's names for the columns (node_network_<direction>_<name>_total).
inline constexpr std::array<std::string_view, NetDevCounters::count> net_dev_field_names = {
    "bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast",
    "bytes", "packets", "errs", "drop", "fifo", "colls", "carrier",    "compressed",
};

struct NetDevLine {
    std::string name;
    NetDevCounters counters;
};

/// Parses /proc/net/dev into `out`, reusing its storage (no allocation once the same
/// interfaces come back). The two header lines are skipped; a line that is not
/// "name: 16 counters" is skipped and reported in the returned status.
ParseStatus parse_net_dev(std::string_view text, std::vector<NetDevLine>& out);

}  // namespace pcm::sample
