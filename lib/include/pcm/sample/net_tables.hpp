#pragma once
// Tables under /proc/net that node_exporter reduces to a few numbers: the ARP cache
// (entries per device) and the UDP socket tables (queued bytes in all).
#include <pcm/sample/named_value.hpp>
#include <pcm/sample/text.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace pcm::sample {

/// Parses /proc/net/arp into entries per device (in order of first appearance), reusing
/// `out`'s storage. The header line is skipped; a line without six columns is reported.
ParseStatus parse_arp(std::string_view text, std::vector<NamedValue>& out);

struct UdpQueues {
    std::uint64_t tx = 0, rx = 0;  ///< bytes, summed over every socket
};

/// Sums the tx_queue:rx_queue column (hexadecimal) of /proc/net/udp or /proc/net/udp6.
ParseStatus parse_udp_queues(std::string_view text, UdpQueues& out);

}  // namespace pcm::sample
