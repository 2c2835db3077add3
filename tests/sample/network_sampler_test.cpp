// The network sampler on a procfs and sysfs made of fixture files: a real kernel's
// interfaces and attributes, then /proc/net/dev changed between samples the way the
// kernel changes it when a container's veth comes and goes.
#include "alloc_counter.hpp"
#include "fixture.hpp"

#include <pcm/sample/net_class.hpp>
#include <pcm/sample/network_sampler.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using namespace pcm::sample;
using pcm::test::fixtures;
using pcm::test::TempDir;
using pcm::test::write_file;

namespace {

std::string net_dev(const std::string& lines) {
    return "Inter-|   Receive                                                |  Transmit\n"
           " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
           "carrier compressed\n" +
           lines;
}

const InterfaceEntry* find(const NetworkReading& r, std::string_view name) {
    for (const InterfaceEntry& i : r.interfaces)
        if (i.line.name == name) return &i;
    return nullptr;
}

}  // namespace

TEST_CASE("sysfs attributes: decimal, hexadecimal, negative, and anything else refused") {
    CHECK(parse_sysfs_integer("1500\n") == 1500);
    CHECK(parse_sysfs_integer("0x1003\n") == 0x1003);
    CHECK(parse_sysfs_integer("0x0") == 0);
    CHECK(parse_sysfs_integer("-1\n") == -1);  // the speed of a virtual NIC
    CHECK_FALSE(parse_sysfs_integer(""));
    CHECK_FALSE(parse_sysfs_integer("\n"));
    CHECK_FALSE(parse_sysfs_integer("0x"));
    CHECK_FALSE(parse_sysfs_integer("0x-1"));
    CHECK_FALSE(parse_sysfs_integer("12abc\n"));
    CHECK_FALSE(parse_sysfs_integer("1500\n\n"));
    CHECK_FALSE(parse_sysfs_integer("99999999999999999999"));
    CHECK(sysfs_text("up\n") == "up");
    CHECK(sysfs_text("") == "");
}

TEST_CASE("network sampler: a real kernel's interfaces, with the attributes each one has") {
    NetworkSampler sampler({}, (fixtures() / "proc/debian12-vm").string(), (fixtures() / "sys/debian12-vm").string());
    const NetworkReading& r = sampler.sample();
    CHECK(r.header.error.empty());
    REQUIRE(r.interfaces.size() == 4);  // lo, ifb0, ifb1, eth0: loopback is reported, as node_exporter does

    const InterfaceEntry* eth0 = find(r, "eth0");
    REQUIRE(eth0);
    CHECK(eth0->line.counters[NetDevCounters::receive_bytes] == 121885594);
    CHECK(eth0->net_class.operstate() == "up");
    CHECK(eth0->net_class.number("mtu") == 1400);
    CHECK(eth0->net_class.number("flags") == 0x1003);
    CHECK(eth0->net_class.number("speed") == -1);
    CHECK(eth0->net_class.number("carrier") == 1);
    CHECK(eth0->net_class.receive_nohandler == 0);
    CHECK_FALSE(eth0->rates);  // a first sample has no rates

    const InterfaceEntry* lo = find(r, "lo");
    REQUIRE(lo);
    CHECK(lo->net_class.number("type") == 772);  // ARPHRD_LOOPBACK
    CHECK_FALSE(lo->net_class.number("speed"));  // the kernel refuses it (EINVAL): absent, not 0

    const InterfaceEntry* ifb0 = find(r, "ifb0");
    REQUIRE(ifb0);
    CHECK(ifb0->net_class.operstate() == "down");
    CHECK_FALSE(ifb0->net_class.number("carrier"));  // a link that is down has no carrier to read

    const InterfaceEntry* ifb1 = find(r, "ifb1");  // in /proc/net/dev, not in this sysfs: counters only
    REQUIRE(ifb1);
    CHECK(ifb1->net_class.operstate().empty());
    CHECK_FALSE(ifb1->net_class.number("mtu"));
}

TEST_CASE("network sampler: rates over measured time; a veth appears, vanishes and is made again") {
    TempDir proc, sys;
    std::filesystem::create_directories(proc.path() / "net");
    write_file(proc.path() / "net/dev", net_dev("  eth0: 1000 10 0 0 0 0 0 0 500 5 0 0 0 0 0 0\n"));
    NetworkSampler sampler({}, proc.path().string(), sys.path().string());
    CHECK(sampler.sample().interfaces.size() == 1);

    write_file(proc.path() / "net/dev", net_dev("  eth0: 3000 30 1 2 0 0 0 0 1500 15 3 4 0 0 0 0\n"
                                                "vethab12: 100 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"));
    const NetworkReading& second = sampler.sample();
    REQUIRE(second.interfaces.size() == 2);
    REQUIRE(second.interfaces[0].rates);
    double dt = second.header.interval_s;
    REQUIRE(dt > 0);
    const NetworkRates& eth0 = *second.interfaces[0].rates;
    CHECK(eth0.receive_bytes_per_s * dt == doctest::Approx(2000));
    CHECK(eth0.transmit_bytes_per_s * dt == doctest::Approx(1000));
    CHECK(eth0.receive_packets_per_s * dt == doctest::Approx(20));
    CHECK(eth0.errors_per_s * dt == doctest::Approx(1 + 3));
    CHECK(eth0.drops_per_s * dt == doctest::Approx(2 + 4));
    CHECK_FALSE(second.interfaces[1].rates);  // new: counters, no rates yet

    write_file(proc.path() / "net/dev", net_dev("  eth0: 3000 30 1 2 0 0 0 0 1500 15 3 4 0 0 0 0\n"));
    CHECK(sampler.sample().interfaces.size() == 1);  // the veth is gone, and so is its entry

    write_file(proc.path() / "net/dev", net_dev("  eth0: 3000 30 1 2 0 0 0 0 1500 15 3 4 0 0 0 0\n"
                                                "vethab12: 5 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"));
    const NetworkReading& again = sampler.sample();
    REQUIRE(again.interfaces.size() == 2);
    CHECK_FALSE(again.interfaces[1].rates);  // made again: no rate against the old one's counters

    write_file(proc.path() / "net/dev", net_dev("  eth0: 10 1 0 0 0 0 0 0 10 1 0 0 0 0 0 0\n"));
    CHECK_FALSE(sampler.sample().interfaces[0].rates);  // counters went back: no rates, not a negative one

    std::filesystem::remove(proc.path() / "net/dev");
    const NetworkReading& gone = sampler.sample();
    CHECK_FALSE(gone.header.error.empty());
    CHECK(gone.interfaces.empty());
}

TEST_CASE("network sampler: include and exclude patterns, and a bad one refused") {
    std::string proc = (fixtures() / "proc/debian12-vm").string(), sys = (fixtures() / "sys/debian12-vm").string();
    NetworkSampler physical({"", "^(lo|ifb[0-9]+)$"}, proc, sys);
    REQUIRE(physical.sample().interfaces.size() == 1);
    CHECK(physical.reading().interfaces[0].line.name == "eth0");

    NetworkSampler only_ifb({"^ifb", ""}, proc, sys);
    CHECK(only_ifb.sample().interfaces.size() == 2);

    CHECK_THROWS_AS(NetworkSampler({"(unclosed", ""}, proc, sys), std::invalid_argument);
    CHECK_THROWS_AS(physical.reconfigure({"", "[z-a]"}, proc, sys), std::invalid_argument);
    CHECK(physical.sample().interfaces.size() == 1);  // the failed reconfigure changed nothing
}

TEST_CASE("network sampler: the same interfaces again allocate nothing") {
    NetworkSampler sampler({}, (fixtures() / "proc/debian12-vm").string(), (fixtures() / "sys/debian12-vm").string());
    for (int i = 0; i < 3; ++i) sampler.sample();
    pcm::test::AllocProbe probe;
    for (int i = 0; i < 20; ++i) sampler.sample();
    CHECK(probe.delta().calls == 0);
}

TEST_CASE("network sampler: the link's state every sample, its settings when it changes and now and then") {
    TempDir proc, sys;
    std::filesystem::create_directories(proc.path() / "net");
    std::filesystem::create_directories(sys.path() / "class/net/eth0/statistics");
    write_file(proc.path() / "net/dev", net_dev("  eth0: 1000 10 0 0 0 0 0 0 500 5 0 0 0 0 0 0\n"));
    auto attribute = [&](const char* file, const char* value) {
        write_file(sys.path() / "class/net/eth0" / file, std::string(value) + "\n");
    };
    attribute("operstate", "up");
    attribute("carrier", "1");
    attribute("carrier_changes", "2");
    attribute("statistics/rx_nohandler", "0");
    attribute("mtu", "1500");
    NetworkSampler sampler({}, proc.path().string(), sys.path().string());
    auto mtu = [&] { return sampler.reading().interfaces.at(0).net_class.number("mtu"); };
    sampler.sample();
    CHECK(mtu() == 1500);  // read when the interface appeared

    attribute("mtu", "9000");
    attribute("statistics/rx_nohandler", "7");
    sampler.sample();
    CHECK(sampler.reading().interfaces[0].net_class.receive_nohandler == 7);  // state: every sample
    CHECK(mtu() == 1500);                                                     // a setting: not yet

    attribute("carrier_changes", "4");  // the link went down and up: settings may have changed
    sampler.sample();
    CHECK(mtu() == 9000);

    attribute("mtu", "1400");
    int samples = 0;
    while (mtu() != 1400 && samples < 100) {
        sampler.sample();
        ++samples;
    }
    CHECK(samples == 60);  // NetworkSampler::full_read_every

    attribute("operstate", "down");
    attribute("mtu", "1500");
    sampler.sample();
    CHECK(sampler.reading().interfaces[0].net_class.operstate() == "down");
    CHECK(mtu() == 1500);  // a change of state reads the settings again
}
