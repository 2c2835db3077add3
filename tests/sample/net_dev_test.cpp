#include "alloc_counter.hpp"
#include "fixture.hpp"

#include <pcm/sample/net_dev.hpp>

#include <doctest/doctest.h>

#include <array>
#include <string>

using namespace pcm::sample;
using pcm::test::read_fixture;

TEST_CASE("net/dev: every interface of a real kernel's file, header skipped") {
    std::vector<NetDevLine> interfaces;
    REQUIRE(parse_net_dev(read_fixture("proc/debian12-vm/net/dev"), interfaces));
    REQUIRE(interfaces.size() == 4);
    CHECK(interfaces[0].name == "lo");
    CHECK(interfaces[0].counters[NetDevCounters::receive_bytes] ==
          interfaces[0].counters[NetDevCounters::transmit_bytes]);
    CHECK(interfaces[3].name == "eth0");
    CHECK(interfaces[3].counters[NetDevCounters::receive_packets] > 0);
}

TEST_CASE("net/dev: a name glued to its first number, a container's veth, the full 64-bit range") {
    std::vector<NetDevLine> interfaces;
    ParseStatus status = parse_net_dev(read_fixture("edge/net-dev-glued-veth-bad-line"), interfaces);
    CHECK_FALSE(status);
    CHECK(status.line == 6);  // "wlan0: 1 2 3", counted from the top of the file
    REQUIRE(interfaces.size() == 3);
    CHECK(interfaces[1].name == "eth0");
    CHECK(interfaces[1].counters[NetDevCounters::receive_bytes] == 4294967296u);
    CHECK(interfaces[1].counters[NetDevCounters::receive_multicast] == 7);
    CHECK(interfaces[1].counters[NetDevCounters::transmit_bytes] == 18446744073709551615u);
    CHECK(interfaces[2].name == "veth9f2c1e0");
    const std::array<std::uint64_t, NetDevCounters::count> columns = {5000, 40, 1, 2, 3, 4,  5,  6,
                                                                      7000, 50, 7, 8, 9, 10, 11, 12};
    CHECK(interfaces[2].counters.values == columns);
}

TEST_CASE("net/dev: garbage, an empty file and a file cut short") {
    std::vector<NetDevLine> interfaces;
    CHECK(parse_net_dev("", interfaces));
    CHECK(interfaces.empty());
    CHECK_FALSE(parse_net_dev("eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", interfaces));      // no colon
    CHECK_FALSE(parse_net_dev("eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", interfaces));  // 17 counters
    CHECK_FALSE(parse_net_dev("eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -16\n", interfaces));
    CHECK_FALSE(parse_net_dev("a b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", interfaces));
    CHECK_FALSE(parse_net_dev("eth0: 1 2 3 4 5 6 7 8 9 10 11", interfaces));
    CHECK(interfaces.empty());
}

TEST_CASE("net/dev: the same interfaces again allocate nothing") {
    std::string text = read_fixture("proc/debian12-vm/net/dev");
    std::vector<NetDevLine> interfaces;
    REQUIRE(parse_net_dev(text, interfaces));
    pcm::test::AllocProbe probe;
    REQUIRE(parse_net_dev(text, interfaces));
    CHECK(probe.delta().calls == 0);
}
