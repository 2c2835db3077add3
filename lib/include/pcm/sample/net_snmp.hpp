#pragma once
// /proc/net/snmp, /proc/net/snmp6, /proc/net/netstat and /proc/net/sockstat{,6}: protocol
// counters, as node_exporter's netstat and sockstat collectors read them.
#include <pcm/sample/text.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pcm::sample {

/// One counter of one protocol: ("Tcp", "ActiveOpens", 12), ("TCP", "inuse", 1).
struct ProtocolValue {
    std::string protocol, field;
    std::int64_t value = 0;  ///< signed: Tcp MaxConn is -1
};

/// Parses the two-line layout of /proc/net/snmp and /proc/net/netstat: a line of names
/// ("Tcp: RtoAlgorithm RtoMin ...") followed by a line of values with the same prefix.
/// Reuses `out`'s storage. A pair whose prefixes or counts differ is skipped and reported.
ParseStatus parse_net_snmp(std::string_view text, std::vector<ProtocolValue>& out);

/// Parses /proc/net/snmp6's "Ip6InReceives 123" lines: the protocol is the leading
/// letters and digit up to the first capital after them ("Ip6", "Icmp6", "Udp6", "UdpLite6").
ParseStatus parse_net_snmp6(std::string_view text, std::vector<ProtocolValue>& out);

/// Parses /proc/net/sockstat{,6}: "TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 169" lines of
/// "name value" pairs after a "PROTOCOL:" prefix.
ParseStatus parse_sockstat(std::string_view text, std::vector<ProtocolValue>& out);

}  // namespace pcm::sample
