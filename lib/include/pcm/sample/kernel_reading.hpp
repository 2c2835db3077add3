#pragma once
// A kernel reading: the kernel-wide tables and counters beside CPU, memory, disks and
// interfaces: network protocol statistics and sockets, packet processing per CPU,
// connection tracking, the ARP cache, UDP queues, file handles, entropy, the clock, SELinux
// and the distribution.
#include <pcm/sample/conntrack_stat.hpp>
#include <pcm/sample/file_nr.hpp>
#include <pcm/sample/named_value.hpp>
#include <pcm/sample/net_snmp.hpp>
#include <pcm/sample/net_tables.hpp>
#include <pcm/sample/os_release.hpp>
#include <pcm/sample/reading.hpp>
#include <pcm/sample/softnet_stat.hpp>
#include <pcm/sample/timex.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pcm::sample {

/// Connection tracking, where the nf_conntrack module is loaded.
struct Conntrack {
    std::int64_t entries = 0, limit = 0;  ///< nf_conntrack_count, nf_conntrack_max
    ConntrackStat stat;                   ///< empty where /proc/net/stat/nf_conntrack is absent
};

/// Each part is empty (or nothing) where this kernel or the daemon's sandbox lacks it: no
/// IPv6, no conntrack module, adjtimex(2) refused (systemd's ProtectClock=).
struct KernelReading {
    ReadingHeader header;
    std::vector<ProtocolValue> snmp, netstat, snmp6;  ///< /proc/net/{snmp,netstat,snmp6}
    std::vector<ProtocolValue> sockstat, sockstat6;   ///< /proc/net/sockstat{,6}
    std::vector<SoftnetLine> softnet;                 ///< one per CPU
    std::vector<NamedValue> arp;                      ///< ARP entries per device
    std::optional<UdpQueues> udp, udp6;
    std::optional<Conntrack> conntrack;
    std::optional<FileNr> file_handles;  ///< /proc/sys/fs/file-nr
    std::optional<std::int64_t> entropy_available_bits, entropy_pool_size_bits;
    std::optional<TimexFigures> timex;
    std::string clocksource_current, clocksource_available;  ///< names, separated by spaces
    std::optional<bool> selinux_enforcing;                   ///< nothing where SELinux is not enabled
    OsRelease os;                                            ///< the distribution (os-release(5))
};

}  // namespace pcm::sample
