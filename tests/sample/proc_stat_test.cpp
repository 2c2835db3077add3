#include "alloc_counter.hpp"
#include "fixture.hpp"

#include <pcm/sample/proc_stat.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace pcm::sample;
using pcm::test::read_fixture;

TEST_CASE("proc_stat: a current kernel's file, captured on Debian 12") {
    ProcStat stat;
    REQUIRE(parse_proc_stat(read_fixture("proc/debian12-vm/stat"), stat));
    CHECK(stat.total.columns == 10);
    CHECK(stat.total.user == 26568);
    CHECK(stat.total.system == 10357);
    CHECK(stat.total.idle == 202540);
    CHECK(stat.total.softirq == 404);
    REQUIRE(stat.cpus.size() == 2);
    CHECK(stat.cpus[1].id == 1);
    CHECK(stat.cpus[1].times.user == 13370);
    // The kernel rounds each line from nanoseconds on its own: sums agree to a tick per CPU.
    CHECK(stat.total.user - (stat.cpus[0].times.user + stat.cpus[1].times.user) <= 2);
    CHECK(stat.intr == 1736688);  // the total, not the per-IRQ breakdown that follows
    CHECK(stat.ctxt == 3525388);
    CHECK(stat.btime > 1'600'000'000);
    CHECK(stat.processes > 0);
}

TEST_CASE("proc_stat: older kernels print fewer columns") {
    ProcStat four, seven;
    REQUIRE(parse_proc_stat(read_fixture("edge/stat-linux-2.4-four-columns"), four));
    CHECK(four.total.columns == 4);
    CHECK(four.total.idle == 8000);
    CHECK(four.total.iowait == 0);
    CHECK(four.total.total() == 1000 + 20 + 300 + 8000);
    CHECK(four.processes == 4242);

    REQUIRE(parse_proc_stat(read_fixture("edge/stat-linux-2.6.11-seven-columns"), seven));
    CHECK(seven.total.columns == 7);
    CHECK(seven.total.softirq == 7);
    CHECK(seven.total.steal == 0);
    CHECK(seven.procs_running == 2);
    CHECK(seven.procs_blocked == 1);
}

TEST_CASE("proc_stat: an offline CPU is simply absent, the others keep their ids") {
    ProcStat stat;
    REQUIRE(parse_proc_stat(read_fixture("edge/stat-offline-cpu1"), stat));
    REQUIRE(stat.cpus.size() == 3);
    CHECK(stat.cpus[0].id == 0);
    CHECK(stat.cpus[1].id == 2);
    CHECK(stat.cpus[2].id == 3);
}

TEST_CASE("proc_stat: truncated and garbage files are errors with a line number") {
    ProcStat stat;
    ParseStatus truncated = parse_proc_stat(read_fixture("edge/stat-truncated"), stat);
    CHECK_FALSE(truncated);
    CHECK(truncated.line == 3);
    CHECK(std::string(truncated.error) == "cpu line has fewer than 4 columns");

    ParseStatus counter = parse_proc_stat(read_fixture("edge/stat-garbage-counter"), stat);
    CHECK_FALSE(counter);
    CHECK(counter.line == 3);

    ParseStatus binary = parse_proc_stat(read_fixture("edge/stat-garbage-binary"), stat);
    CHECK_FALSE(binary);
    CHECK(std::string(binary.error) == "no aggregate cpu line");

    CHECK_FALSE(parse_proc_stat("", stat));
    CHECK_FALSE(parse_proc_stat("cpu 1 2 3 4 5 6 7 8 9 10 11\n", stat));
    CHECK_FALSE(parse_proc_stat("cpu -1 2 3 4\n", stat));
    CHECK_FALSE(parse_proc_stat("cpu 1 2 3 4\ncpuX 1 2 3 4\n", stat));
}

TEST_CASE("proc_stat: parsing again into the same struct allocates nothing") {
    std::string text = read_fixture("proc/debian12-vm/stat");
    ProcStat stat;
    REQUIRE(parse_proc_stat(text, stat));
    pcm::test::AllocProbe probe;
    for (int i = 0; i < 100; ++i) REQUIRE(parse_proc_stat(text, stat));
    CHECK(probe.delta().calls == 0);
}
