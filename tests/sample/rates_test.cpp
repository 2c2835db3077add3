// Derived figures on before/after pairs whose answers are worked out by hand here.
#include "fixture.hpp"

#include <pcm/sample/cpu_reading.hpp>
#include <pcm/sample/disk_reading.hpp>

#include <doctest/doctest.h>

using namespace pcm::sample;

namespace {
CpuTimes times(std::uint64_t user, std::uint64_t system, std::uint64_t idle, std::uint64_t iowait,
               std::uint64_t softirq = 0, std::uint64_t steal = 0) {
    CpuTimes t;
    t.user = user;
    t.system = system;
    t.idle = idle;
    t.iowait = iowait;
    t.softirq = softirq;
    t.steal = steal;
    t.columns = 10;
    return t;
}
}  // namespace

TEST_CASE("cpu_share: percentages of the interval, worked by hand") {
    // deltas: user 60, system 20 + softirq 10, idle 100, iowait 10 -> 200 ticks in all
    auto share = cpu_share(times(100, 50, 800, 50), times(160, 70, 900, 60, 10));
    REQUIRE(share);
    CHECK(share->user == doctest::Approx(30));
    CHECK(share->system == doctest::Approx(15));
    CHECK(share->idle == doctest::Approx(50));
    CHECK(share->iowait == doctest::Approx(5));
    CHECK(share->busy == doctest::Approx(45));
}

TEST_CASE("cpu_share: no time passed, or counters reset, gives no share") {
    CHECK_FALSE(cpu_share(times(100, 50, 800, 50), times(100, 50, 800, 50)));
    CHECK_FALSE(cpu_share(times(100, 50, 800, 50), times(10, 5, 80, 5)));
}

TEST_CASE("cpu_share: iowait stepping back while the total advances counts as zero") {
    // deltas: user 50, idle 50, iowait -10 -> treated as 0; whole = 100
    auto share = cpu_share(times(100, 0, 100, 50), times(150, 0, 150, 40));
    REQUIRE(share);
    CHECK(share->iowait == 0);
    CHECK(share->user == doctest::Approx(50));
    CHECK(share->idle == doctest::Approx(50));
}

TEST_CASE("derive_cpu: CPUs matched by id across offline and online") {
    ProcStat all, without1;
    REQUIRE(
        parse_proc_stat("cpu 40 0 20 400 0\ncpu0 10 0 5 100 0\ncpu1 10 0 5 100 0\ncpu2 10 0 5 100 0\n"
                        "cpu3 10 0 5 100 0\nctxt 1000\nintr 500\nprocesses 10\n",
                        all));
    REQUIRE(
        parse_proc_stat("cpu 70 0 35 700 0\ncpu0 20 0 10 200 0\ncpu2 40 0 5 140 0\ncpu3 10 0 20 190 0\n"
                        "ctxt 3000\nintr 400\nprocesses 30\n",
                        without1));
    CpuReading r;
    r.stat = without1;
    derive_cpu(all, 2.0, r);
    REQUIRE(r.cpus.size() == 3);
    CHECK(r.cpus[0].id == 0);
    CHECK(r.cpus[0].share->user == doctest::Approx(100.0 * 10 / 115));
    CHECK(r.cpus[1].id == 2);  // cpu2 compared with cpu2, not with cpu1
    CHECK(r.cpus[1].share->user == doctest::Approx(100.0 * 30 / 70));
    CHECK(r.cpus[2].share->system == doctest::Approx(100.0 * 15 / 105));
    CHECK(r.context_switches_per_s == doctest::Approx(1000));
    CHECK_FALSE(r.interrupts_per_s);  // went backwards: no rate
    CHECK(r.forks_per_s == doctest::Approx(10));

    CpuReading back;
    back.stat = all;
    derive_cpu(without1, 1.0, back);
    REQUIRE(back.cpus.size() == 4);
    CHECK(back.cpus[1].id == 1);
    CHECK_FALSE(back.cpus[1].share);  // new since the previous snapshot
}

TEST_CASE("counter_rate") {
    CHECK(counter_rate(100, 350, 2.5) == doctest::Approx(100));
    CHECK_FALSE(counter_rate(350, 100, 2.5));
    CHECK_FALSE(counter_rate(100, 200, 0));
}

namespace {
DiskCounters disk(std::uint64_t reads, std::uint64_t sectors_read, std::uint64_t read_ms, std::uint64_t writes,
                  std::uint64_t sectors_written, std::uint64_t write_ms, std::uint64_t io_ms,
                  std::uint64_t weighted_ms) {
    DiskCounters c;
    c.count = 17;
    c.values[DiskCounters::reads] = reads;
    c.values[DiskCounters::sectors_read] = sectors_read;
    c.values[DiskCounters::read_ms] = read_ms;
    c.values[DiskCounters::writes] = writes;
    c.values[DiskCounters::sectors_written] = sectors_written;
    c.values[DiskCounters::write_ms] = write_ms;
    c.values[DiskCounters::io_ms] = io_ms;
    c.values[DiskCounters::weighted_io_ms] = weighted_ms;
    return c;
}
}  // namespace

TEST_CASE("disk_rates: worked by hand over 2 seconds") {
    // 100 reads of 2048 sectors in 300 ms, 50 writes of 1024 sectors in 150 ms,
    // 500 ms busy, 1000 ms weighted.
    auto r = disk_rates(disk(1000, 10000, 5000, 500, 8000, 2000, 9000, 20000),
                        disk(1100, 12048, 5300, 550, 9024, 2150, 9500, 21000), 2.0);
    REQUIRE(r);
    CHECK(r->read_bytes_per_s == doctest::Approx(2048.0 * 512 / 2));
    CHECK(r->write_bytes_per_s == doctest::Approx(1024.0 * 512 / 2));
    CHECK(r->reads_per_s == doctest::Approx(50));
    CHECK(r->writes_per_s == doctest::Approx(25));
    CHECK(r->await_ms == doctest::Approx(450.0 / 150));
    CHECK(r->utilization_percent == doctest::Approx(25));
    CHECK(r->queue_depth == doctest::Approx(0.5));
}

TEST_CASE("disk_rates: idle, clamped, and counters that went backwards") {
    auto idle = disk_rates(disk(1, 1, 1, 1, 1, 1, 1, 1), disk(1, 1, 1, 1, 1, 1, 1, 1), 1.0);
    REQUIRE(idle);
    CHECK(idle->await_ms == 0);
    CHECK(idle->utilization_percent == 0);

    auto busy = disk_rates(disk(0, 0, 0, 0, 0, 0, 0, 0), disk(1, 1, 1, 1, 1, 1, 3000, 0), 2.0);
    CHECK(busy->utilization_percent == 100);  // accounting jitter never exceeds 100 %

    CHECK_FALSE(disk_rates(disk(1000, 10000, 5000, 500, 8000, 2000, 9000, 20000), disk(10, 100, 50, 5, 80, 20, 90, 200),
                           1.0));  // device re-added
    CHECK_FALSE(disk_rates(disk(0, 0, 0, 0, 0, 0, 0, 0), disk(1, 1, 1, 1, 1, 1, 1, 1), 0));
}
