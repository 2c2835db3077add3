// The CPU, memory and disk samplers on a procfs root made of fixture files, changed
// between samples the way the kernel would change them.
#include "fixture.hpp"

#include <pcm/sample/cpu_sampler.hpp>
#include <pcm/sample/disk_sampler.hpp>
#include <pcm/sample/memory_sampler.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include <string>
#include <thread>

using namespace pcm::sample;
using pcm::test::TempDir;
using pcm::test::write_file;

namespace {
const char* stat_before =
    "cpu  200 0 100 1600 100 0 0 0 0 0\n"
    "cpu0 100 0 50 800 50 0 0 0 0 0\n"
    "cpu1 100 0 50 800 50 0 0 0 0 0\n"
    "intr 5000 1 2\nctxt 10000\nbtime 1700000000\nprocesses 500\nprocs_running 2\nprocs_blocked 0\n";
const char* stat_after =  // cpu0: +100 user +100 idle; cpu1: +200 idle
    "cpu  300 0 100 1900 100 0 0 0 0 0\n"
    "cpu0 200 0 50 900 50 0 0 0 0 0\n"
    "cpu1 100 0 50 1000 50 0 0 0 0 0\n"
    "intr 6000 1 2\nctxt 13000\nbtime 1700000000\nprocesses 520\nprocs_running 1\nprocs_blocked 0\n";
const char* stat_cpu1_offline =
    "cpu  400 0 100 2000 100 0 0 0 0 0\n"
    "cpu0 300 0 50 1000 50 0 0 0 0 0\n"
    "intr 6500\nctxt 14000\n";
const char* stat_cpu1_back =  // cpu0: +50 user +50 idle since the offline sample
    "cpu  500 0 100 2100 100 0 0 0 0 0\n"
    "cpu0 350 0 50 1050 50 0 0 0 0 0\n"
    "cpu1 150 0 50 1050 50 0 0 0 0 0\n"
    "intr 7000\nctxt 15000\n";
}  // namespace

TEST_CASE("cpu sampler: first sample has counters only, the next has shares and rates") {
    TempDir root;
    pcm::test::copy_fixture_root("debian12-vm", root.path() / "proc");
    write_file(root.path() / "proc/stat", stat_before);
    CpuSampler sampler((root.path() / "proc").string());

    const CpuReading& first = sampler.sample();
    CHECK(first.header.error.empty());
    CHECK(first.header.sequence == 1);
    CHECK(first.header.interval_s == 0);
    CHECK_FALSE(first.total);
    REQUIRE(first.cpus.size() == 2);
    CHECK_FALSE(first.cpus[0].share);
    CHECK(first.stat.ctxt == 10000);
    CHECK(first.load.tasks > 0);
    CHECK(first.uptime.seconds > 0);
    CHECK(first.pressure.available);

    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    write_file(root.path() / "proc/stat", stat_after);
    const CpuReading& second = sampler.sample();
    CHECK(second.header.sequence == 2);
    CHECK(second.header.interval_s >= 0.015);
    REQUIRE(second.total);
    CHECK(second.total->user == doctest::Approx(25));  // 100 of 400 ticks
    CHECK(second.total->idle == doctest::Approx(75));
    CHECK(second.cpus[0].share->busy == doctest::Approx(50));
    CHECK(second.cpus[1].share->idle == doctest::Approx(100));
    // Rates divide by the measured interval, not a configured one.
    CHECK(*second.context_switches_per_s * second.header.interval_s == doctest::Approx(3000));
    CHECK(*second.interrupts_per_s * second.header.interval_s == doctest::Approx(1000));
}

TEST_CASE("cpu sampler: a CPU going offline and coming back, and a garbage file in between") {
    TempDir root;
    pcm::test::copy_fixture_root("debian12-vm", root.path() / "proc");
    write_file(root.path() / "proc/stat", stat_before);
    CpuSampler sampler((root.path() / "proc").string());
    sampler.sample();

    write_file(root.path() / "proc/stat", stat_cpu1_offline);
    const CpuReading& offline = sampler.sample();
    REQUIRE(offline.cpus.size() == 1);
    CHECK(offline.cpus[0].id == 0);
    CHECK(offline.cpus[0].share->user == doctest::Approx(100.0 * 200 / 400));

    write_file(root.path() / "proc/stat", "cpu0 what is this\n\x01\x02");
    const CpuReading& broken = sampler.sample();
    CHECK(broken.header.error.view().find("/stat line 1: cpu time is not a number") != std::string_view::npos);
    CHECK_FALSE(broken.total);
    CHECK(broken.cpus.empty());
    CHECK(broken.stat.cpus.empty());

    write_file(root.path() / "proc/stat", stat_cpu1_back);  // compared with the last good sample
    const CpuReading& back = sampler.sample();
    CHECK(back.header.error.empty());
    REQUIRE(back.cpus.size() == 2);
    REQUIRE(back.cpus[0].share);
    CHECK(back.cpus[0].share->busy == doctest::Approx(50));
    CHECK_FALSE(back.cpus[1].share);  // new since that sample
    REQUIRE(back.total);
    CHECK(back.total->user == doctest::Approx(50));

    write_file(root.path() / "proc/stat", stat_after);  // every counter lower: a reset, not a rate
    const CpuReading& reset = sampler.sample();
    CHECK_FALSE(reset.total);
    CHECK_FALSE(reset.cpus[0].share);
}

TEST_CASE("cpu and memory samplers: missing files are errors, missing pressure and vmstat are not") {
    TempDir root;
    write_file(root.path() / "meminfo", pcm::test::read_fixture("proc/debian12-vm/meminfo"));
    CpuSampler cpu(root.path().string());
    const CpuReading& r = cpu.sample();
    CHECK(r.header.error.view().find("/stat: No such file or directory") != std::string_view::npos);

    MemorySampler memory(root.path().string());
    const MemoryReading& m = memory.sample();
    CHECK(m.header.error.empty());
    CHECK_FALSE(m.pressure.available);
    CHECK(m.summary.total == m.meminfo.get("MemTotal"));
    CHECK(m.summary.used == m.summary.total - m.summary.available);
    CHECK(m.vmstat.empty());

    write_file(root.path() / "vmstat", pcm::test::read_fixture("proc/debian12-vm/vmstat"));
    const MemoryReading& with = memory.sample();
    CHECK(with.header.error.empty());
    auto pgfault =
        std::find_if(with.vmstat.begin(), with.vmstat.end(), [](const auto& v) { return v.name == "pgfault"; });
    REQUIRE(pgfault != with.vmstat.end());
    CHECK(pgfault->value == 46646912);
}

TEST_CASE("disk sampler: default exclusions, include pattern, device removed and re-added") {
    TempDir root;
    const char* before =
        "   7 0 loop0 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
        "   1 0 ram0 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
        "   8 0 sda 100 0 2000 50 10 0 800 20 0 60 70 0 0 0 0 0 0\n"
        "   8 1 sda1 100 0 2000 50 10 0 800 20 0 60 70 0 0 0 0 0 0\n"
        " 259 0 nvme0n1 10 0 80 5 0 0 0 0 0 5 5 0 0 0 0 0 0\n"
        " 259 1 nvme0n1p1 10 0 80 5 0 0 0 0 0 5 5 0 0 0 0 0 0\n";
    write_file(root.path() / "diskstats", before);
    DiskSampler all({}, root.path().string());
    const DiskReading& first = all.sample();
    REQUIRE(first.disks.size() == 2);
    CHECK(first.disks[0].line.name == "sda");
    CHECK(first.disks[1].line.name == "nvme0n1");
    CHECK_FALSE(first.disks[0].rates);

    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    write_file(root.path() / "diskstats",  // sda advances; nvme0n1 was re-added: counters restart low
               "   8 0 sda 200 0 4000 150 10 0 800 20 0 70 80 0 0 0 0 0 0\n"
               " 259 0 nvme0n1 1 0 8 1 0 0 0 0 0 1 1 0 0 0 0 0 0\n");
    const DiskReading& second = all.sample();
    REQUIRE(second.disks.size() == 2);
    REQUIRE(second.disks[0].rates);
    double dt = second.header.interval_s;
    CHECK(second.disks[0].rates->reads_per_s * dt == doctest::Approx(100));
    CHECK(second.disks[0].rates->read_bytes_per_s * dt == doctest::Approx(2000 * 512));
    CHECK(second.disks[0].rates->await_ms == doctest::Approx(1.0));
    CHECK_FALSE(second.disks[1].rates);

    DiskSampler only_nvme({"^nvme", ""}, root.path().string());
    write_file(root.path() / "diskstats", before);
    const DiskReading& nvme = only_nvme.sample();
    REQUIRE(nvme.disks.size() == 2);  // the include pattern alone, with an empty exclude, keeps partitions
    CHECK(nvme.disks[1].line.name == "nvme0n1p1");

    CHECK_THROWS_AS(DiskSampler({"(unclosed", ""}, root.path().string()), std::invalid_argument);
}

TEST_CASE("disk sampler: a device's model, serial, WWN and path from udev's database, read when it appears") {
    TempDir root, udev;
    write_file(root.path() / "diskstats",
               " 259 0 nvme0n1 10 0 80 5 0 0 0 0 0 5 5 0 0 0 0 0 0\n"
               "   8 0 sda 100 0 2000 50 10 0 800 20 0 60 70 0 0 0 0 0 0\n");
    write_file(udev.path() / "b259:0", pcm::test::read_fixture("edge/udev-data-nvme"));
    DiskSampler sampler({}, root.path().string(), udev.path().string());
    const DiskReading& r = sampler.sample();
    REQUIRE(r.disks.size() == 2);
    const auto& nvme = r.disks[0].udev.values;  // in udev_property_keys' order
    CHECK(nvme[0] == "pci-0000:01:00.0-nvme-1");
    CHECK(nvme[1] == "eui.002538b111b2c3d4");
    CHECK(nvme[2] == "Samsung SSD 980 PRO 1TB");
    CHECK(nvme[3] == "S5GXNF0R123456");
    CHECK(nvme[4] == "5B2QGXA7");
    for (const std::string& value : r.disks[1].udev.values) CHECK(value.empty());  // udev knows nothing of sda

    std::filesystem::remove(udev.path() / "b259:0");
    CHECK(sampler.sample().disks[0].udev.values[2] == "Samsung SSD 980 PRO 1TB");  // read once, when it appeared
}
