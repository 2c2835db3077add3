#include "fixture.hpp"

#include <pcm/sample/loadavg.hpp>
#include <pcm/sample/pressure.hpp>
#include <pcm/sample/uptime.hpp>

#include <doctest/doctest.h>

using namespace pcm::sample;
using pcm::test::read_fixture;

TEST_CASE("loadavg") {
    LoadAvg load;
    REQUIRE(parse_loadavg("0.86 0.48 0.20 3/80 4388\n", load));
    CHECK(load.load1 == doctest::Approx(0.86));
    CHECK(load.load15 == doctest::Approx(0.20));
    CHECK(load.runnable == 3);
    CHECK(load.tasks == 80);
    CHECK(load.last_pid == 4388);
    REQUIRE(parse_loadavg(read_fixture("proc/debian12-vm/loadavg"), load));
    CHECK(load.tasks > 0);

    CHECK_FALSE(parse_loadavg("", load));
    CHECK_FALSE(parse_loadavg("0.86 0.48 0.20 3-80 4388", load));
    CHECK_FALSE(parse_loadavg("0.86 0.48 high 3/80 4388", load));
    CHECK_FALSE(parse_loadavg("0.86 0.48 0.20 3/80", load));
}

TEST_CASE("uptime") {
    Uptime up;
    REQUIRE(parse_uptime("851.46 1480.48\n", up));
    CHECK(up.seconds == doctest::Approx(851.46));
    CHECK(up.idle_seconds == doctest::Approx(1480.48));
    CHECK_FALSE(parse_uptime("851.46", up));
    CHECK_FALSE(parse_uptime("\xff\xfe", up));
}

TEST_CASE("pressure: some and full, cpu without full before 5.13, malformed") {
    Pressure io;
    REQUIRE(parse_pressure(read_fixture("proc/debian12-vm/pressure/io"), io));
    CHECK(io.available);
    CHECK(io.some.present);
    CHECK(io.full.present);
    CHECK(io.some.total_us > 0);

    Pressure cpu;
    REQUIRE(parse_pressure(read_fixture("edge/pressure-cpu-before-5.13"), cpu));
    CHECK(cpu.some.avg10 == doctest::Approx(1.5));
    CHECK(cpu.some.avg300 == doctest::Approx(0.25));
    CHECK(cpu.some.total_us == 123456789);
    CHECK_FALSE(cpu.full.present);

    Pressure bad;
    CHECK_FALSE(parse_pressure(read_fixture("edge/pressure-truncated"), bad));
    CHECK_FALSE(parse_pressure("most avg10=1 avg60=1 avg300=1 total=1\n", bad));
    CHECK_FALSE(parse_pressure("some avg10=x avg60=1 avg300=1 total=1\n", bad));
    CHECK_FALSE(bad.available);
}
