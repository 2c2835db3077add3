// The kernel sampler on a real kernel's procfs, captured (tests/fixtures/proc/debian12-vm),
// with adjtimex(2) injected; and the one parser it adds, /proc/net/stat/nf_conntrack.
#include "alloc_counter.hpp"
#include "fixture.hpp"

#include <pcm/sample/conntrack_stat.hpp>
#include <pcm/sample/kernel_sampler.hpp>
#include <pcm/sample/os_release.hpp>

#include <doctest/doctest.h>

#include <cerrno>
#include <filesystem>

using namespace pcm::sample;
using pcm::test::fixtures;
using pcm::test::read_fixture;
using pcm::test::TempDir;
using pcm::test::write_file;

namespace {

int clock_in_sync(struct timex* t) {
    *t = {};
    t->offset = 1500;  // µs
    t->maxerror = 16000;
    t->tick = 10000;
    return TIME_OK;
}

int clock_refused(struct timex*) {
    errno = EPERM;  // what systemd's ProtectClock= seccomp filter answers
    return -1;
}

std::optional<std::int64_t> find(const std::vector<ProtocolValue>& values, std::string_view protocol,
                                 std::string_view field) {
    for (const ProtocolValue& v : values)
        if (v.protocol == protocol && v.field == field) return v.value;
    return std::nullopt;
}

}  // namespace

TEST_CASE("nf_conntrack stat: columns found by the header's names, summed over the CPUs") {
    ConntrackStat stat;
    REQUIRE(parse_conntrack_stat(read_fixture("proc/debian12-vm/net/stat/nf_conntrack"), stat));
    for (const auto& sum : stat.sums) CHECK(sum == 0);  // every field node_exporter reports, on a 6.x kernel

    // An older layout (a "searched" column, no "clashres"), two CPUs, and a broken third line.
    ParseStatus status = parse_conntrack_stat(read_fixture("edge/conntrack-stat-linux-4.19-searched-column"), stat);
    CHECK_FALSE(status);
    CHECK(status.line == 4);
    CHECK(stat.sums[0] == 0x10 + 0x20);  // found
    CHECK(stat.sums[1] == 2);            // invalid
    CHECK(stat.sums[2] == 4);            // ignore
    CHECK(stat.sums[3] == 6);            // insert
    CHECK(stat.sums[5] == 8);            // drop
    CHECK(stat.sums[7] == 10);           // search_restart

    CHECK_FALSE(parse_conntrack_stat("", stat));
    CHECK_FALSE(stat.sums[0]);
    REQUIRE(parse_conntrack_stat("entries found\n", stat));  // no CPU line: zero, not absent
    CHECK(stat.sums[0] == 0);
    CHECK_FALSE(stat.sums[1]);  // a column this kernel does not print
}

TEST_CASE("kernel sampler: every table of a real kernel, and the clock through adjtimex") {
    KernelSampler sampler((fixtures() / "proc/debian12-vm").string(), (fixtures() / "sys/debian12-vm").string(),
                          &clock_in_sync, (fixtures() / "etc/os-release-debian12").string());
    const KernelReading& r = sampler.sample();
    CHECK(r.header.error.empty());
    CHECK(find(r.snmp, "Tcp", "ActiveOpens"));
    CHECK(find(r.netstat, "TcpExt", "ListenDrops"));
    CHECK(find(r.snmp6, "Ip6", "InOctets"));
    CHECK(find(r.sockstat, "sockets", "used"));
    CHECK(find(r.sockstat6, "TCP6", "inuse"));
    CHECK(r.softnet.size() == 2);  // one line per CPU of that machine
    REQUIRE(r.arp.size() == 1);
    CHECK(r.arp[0].name == "eth0");
    CHECK(r.udp);
    CHECK(r.udp6);
    REQUIRE(r.conntrack);
    CHECK(r.conntrack->limit == 262144);
    CHECK(r.conntrack->stat.sums[0] == 0);
    REQUIRE(r.file_handles);
    CHECK(r.file_handles->maximum > r.file_handles->allocated);
    CHECK(r.entropy_pool_size_bits == 256);
    REQUIRE(r.timex);
    CHECK(r.timex->offset_seconds == doctest::Approx(0.0015));
    CHECK(r.timex->sync_status == 1);
    CHECK(r.clocksource_current == "tsc");
    CHECK(r.clocksource_available.find("kvm-clock") != std::string::npos);
    CHECK_FALSE(r.selinux_enforcing);  // no /sys/fs/selinux: not enabled
    CHECK(r.os.value("ID") == "debian");
    CHECK(r.os.value("VERSION_ID") == "12");
}

TEST_CASE("os-release: quotes, escapes, comments and unknown keys; the version as a number") {
    OsRelease os;
    parse_os_release(read_fixture("edge/os-release-quoted-escaped"), os);
    CHECK(os.value("NAME") == "Ubuntu");
    CHECK(os.value("VERSION") == "22.04.3 LTS (Jammy \"Jellyfish\")");
    CHECK(os.value("ID_LIKE") == "debian");
    CHECK(os.value("BUILD_ID").empty());
    CHECK(os_version_number(os.value("VERSION_ID")) == doctest::Approx(22.04));
    CHECK(os_version_number("12") == 12);
    CHECK(os_version_number("3.18.4") == doctest::Approx(3.18));
    CHECK(os_version_number("rolling") == 0);
    parse_os_release("", os);
    CHECK(os.value("NAME").empty());  // nothing kept from the earlier file
}

TEST_CASE("kernel sampler: what a kernel or a sandbox lacks is absent, not an error; a bad file is one") {
    TempDir proc;
    std::filesystem::create_directories(proc.path() / "net");
    write_file(proc.path() / "net/sockstat", "sockets: used 12\nTCP: inuse 4 orphan 0 tw 146 alloc 4 mem 1\n");
    KernelSampler sampler(proc.path().string(), proc.path().string(), &clock_refused,
                          (proc.path() / "no-os-release").string());
    const KernelReading& sparse = sampler.sample();
    CHECK(sparse.header.error.empty());
    CHECK(find(sparse.sockstat, "TCP", "tw") == 146);
    CHECK(sparse.snmp.empty());
    CHECK_FALSE(sparse.conntrack);  // no module: no nf_conntrack files
    CHECK_FALSE(sparse.file_handles);
    CHECK_FALSE(sparse.timex);  // adjtimex refused
    CHECK(sparse.clocksource_current.empty());

    write_file(proc.path() / "net/sockstat", "sockets: used 12\nTCP: inuse\n");
    const KernelReading& bad = sampler.sample();
    CHECK(bad.header.error.view().find("net/sockstat") != std::string_view::npos);
    CHECK(find(bad.sockstat, "sockets", "used") == 12);  // the good line is kept
}

TEST_CASE("kernel sampler: the same tables again allocate nothing") {
    KernelSampler sampler((fixtures() / "proc/debian12-vm").string(), (fixtures() / "sys/debian12-vm").string(),
                          &clock_in_sync, (fixtures() / "etc/os-release-debian12").string());
    for (int i = 0; i < 3; ++i) sampler.sample();
    pcm::test::AllocProbe probe;
    for (int i = 0; i < 20; ++i) sampler.sample();
    CHECK(probe.delta().calls == 0);
}
