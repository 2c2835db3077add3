// The kernel tables node_exporter's default collectors read besides netdev: vmstat, the
// netstat/snmp family, sockstat, softnet and file-nr. Real files from a Debian 12 VM plus
// hand-made edge cases.
#include "alloc_counter.hpp"
#include "fixture.hpp"

#include <pcm/sample/file_nr.hpp>
#include <pcm/sample/net_snmp.hpp>
#include <pcm/sample/net_tables.hpp>
#include <pcm/sample/softnet_stat.hpp>
#include <pcm/sample/vmstat.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>

using namespace pcm::sample;
using pcm::test::read_fixture;

namespace {

std::optional<std::int64_t> find(const std::vector<ProtocolValue>& values, std::string_view protocol,
                                 std::string_view field) {
    auto it = std::find_if(values.begin(), values.end(),
                           [&](const ProtocolValue& v) { return v.protocol == protocol && v.field == field; });
    return it == values.end() ? std::nullopt : std::optional(it->value);
}

}  // namespace

TEST_CASE("vmstat: every name and value of a real kernel's file") {
    std::vector<NamedValue> values;
    std::string text = read_fixture("proc/debian12-vm/vmstat");
    REQUIRE(parse_vmstat(text, values));
    CHECK(values.size() == static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')));
    CHECK(values.front().name == "nr_free_pages");
    for (const char* name : {"pgpgin", "pgpgout", "pswpin", "pswpout", "pgfault", "pgmajfault", "oom_kill"}) {
        CAPTURE(name);
        CHECK(std::any_of(values.begin(), values.end(), [&](const NamedValue& v) { return v.name == name; }));
    }
    CHECK_FALSE(parse_vmstat("pgfault 12\npgmajfault x\noom_kill 1 2\n", values));
    CHECK(values.size() == 1);
}

TEST_CASE("snmp and netstat: names and values paired line by line, signed values kept") {
    std::vector<ProtocolValue> values;
    REQUIRE(parse_net_snmp(read_fixture("proc/debian12-vm/net/snmp"), values));
    CHECK(find(values, "Tcp", "MaxConn") == -1);
    CHECK(find(values, "Ip", "DefaultTTL") == 64);
    CHECK(find(values, "Udp", "InDatagrams").has_value());
    REQUIRE(parse_net_snmp(read_fixture("proc/debian12-vm/net/netstat"), values));
    CHECK(find(values, "TcpExt", "SyncookiesSent").has_value());
    CHECK(find(values, "IpExt", "InOctets") > 0);
}

TEST_CASE("snmp: a pair whose prefixes or counts differ is skipped, the others kept") {
    std::vector<ProtocolValue> values;
    ParseStatus status =
        parse_net_snmp("Ip: A B\nIp: 1 2\nTcp: C D\nUdp: 3 4\nIcmp: E F\nIcmp: 5\nUdp: G\nUdp: -7\n", values);
    CHECK_FALSE(status);
    CHECK(status.line == 4);
    REQUIRE(values.size() == 3);
    CHECK(find(values, "Ip", "B") == 2);
    CHECK(find(values, "Udp", "G") == -7);
    CHECK_FALSE(find(values, "Icmp", "E"));
    CHECK_FALSE(parse_net_snmp("Ip: A B\n", values));  // a names line without values
    CHECK(values.empty());
}

TEST_CASE("snmp6: the protocol is the name up to its 6") {
    std::vector<ProtocolValue> values;
    REQUIRE(parse_net_snmp6(read_fixture("proc/debian12-vm/net/snmp6"), values));
    CHECK(find(values, "Ip6", "InReceives").has_value());
    CHECK(find(values, "Icmp6", "InMsgs").has_value());
    CHECK(find(values, "UdpLite6", "InDatagrams").has_value());
    CHECK_FALSE(parse_net_snmp6("Ip6InReceives 1\nNoSixHere 2\n6Leading 3\nIp6 4\n", values));
    CHECK(values.size() == 1);
}

TEST_CASE("sockstat: PROTOCOL: name value pairs, IPv4 and IPv6") {
    std::vector<ProtocolValue> values;
    REQUIRE(parse_sockstat(read_fixture("proc/debian12-vm/net/sockstat"), values));
    CHECK(find(values, "sockets", "used") > 0);
    CHECK(find(values, "TCP", "mem").has_value());
    CHECK(find(values, "FRAG", "memory") == 0);
    REQUIRE(parse_sockstat(read_fixture("proc/debian12-vm/net/sockstat6"), values));
    CHECK(find(values, "TCP6", "inuse").has_value());
    CHECK_FALSE(parse_sockstat("TCP: inuse 1 orphan\nUDP: inuse 2\n", values));
    REQUIRE(values.size() == 1);
    CHECK(find(values, "UDP", "inuse") == 2);
}

TEST_CASE("softnet_stat: hexadecimal columns per CPU, old and new layouts") {
    std::vector<SoftnetLine> cpus;
    REQUIRE(parse_softnet_stat(read_fixture("proc/debian12-vm/net/softnet_stat"), cpus));
    REQUIRE(cpus.size() == 2);
    CHECK(cpus[0].count >= 13);
    CHECK(cpus[0][SoftnetLine::processed] > 0);
    // Linux 4.x: 11 columns; a column in capitals; the 32-bit maximum.
    REQUIRE(parse_softnet_stat("ffffffff 0000000A 00000003 0 0 0 0 0 0 0 00000000\n", cpus));
    CHECK(cpus[0][SoftnetLine::processed] == 0xffffffffu);
    CHECK(cpus[0][SoftnetLine::dropped] == 10);
    CHECK(cpus[0][SoftnetLine::time_squeeze] == 3);
    CHECK_FALSE(parse_softnet_stat("00000001 00000002\n", cpus));            // too few
    CHECK_FALSE(parse_softnet_stat("100000000 00000000 00000000\n", cpus));  // over 32 bits
    CHECK_FALSE(parse_softnet_stat("0000000g 00000000 00000000\n", cpus));
}

TEST_CASE("file-nr: allocated, unused, maximum") {
    FileNr nr;
    REQUIRE(parse_file_nr(read_fixture("proc/debian12-vm/sys/fs/file-nr"), nr));
    CHECK(nr.allocated > 0);
    CHECK(nr.maximum >= nr.allocated);
    CHECK_FALSE(parse_file_nr("1 2\n", nr));
    CHECK_FALSE(parse_file_nr("1 2 3 4\n", nr));
    CHECK_FALSE(parse_file_nr("", nr));
}

TEST_CASE("the same tables again allocate nothing") {
    std::string snmp = read_fixture("proc/debian12-vm/net/netstat"), vmstat = read_fixture("proc/debian12-vm/vmstat");
    std::vector<ProtocolValue> values;
    std::vector<NamedValue> named;
    REQUIRE(parse_net_snmp(snmp, values));
    REQUIRE(parse_vmstat(vmstat, named));
    pcm::test::AllocProbe probe;
    REQUIRE(parse_net_snmp(snmp, values));
    REQUIRE(parse_vmstat(vmstat, named));
    CHECK(probe.delta().calls == 0);
}

TEST_CASE("arp: entries counted per device, header skipped") {
    std::vector<NamedValue> devices;
    REQUIRE(parse_arp(read_fixture("proc/debian12-vm/net/arp"), devices));
    REQUIRE(devices.size() == 1);
    CHECK(devices[0].name == "eth0");
    CHECK(devices[0].value == 1);
    REQUIRE(parse_arp(read_fixture("edge/net-arp-two-devices"), devices));
    REQUIRE(devices.size() == 2);
    CHECK((devices[0].name == "eth0" && devices[0].value == 3));
    CHECK((devices[1].name == "docker0" && devices[1].value == 1));
    CHECK_FALSE(parse_arp("header\n10.0.0.1 0x1 0x2 52:54:00:12:34:56 *\n", devices));
    CHECK(devices.empty());
}

TEST_CASE("udp queues: tx and rx bytes summed over every socket") {
    UdpQueues queues;
    REQUIRE(parse_udp_queues(read_fixture("proc/debian12-vm/net/udp"), queues));
    REQUIRE(parse_udp_queues(read_fixture("edge/net-udp-queues"), queues));
    CHECK(queues.tx == 0x10 + 0x1);
    CHECK(queues.rx == 0xA00 + 0x200);
    CHECK_FALSE(parse_udp_queues("header\n 1: 0:0 0:0 07 0000001G:00000000\n", queues));
    CHECK_FALSE(parse_udp_queues("header\n 1: 0:0 0:0 07 00000010\n", queues));
}
