#include "alloc_counter.hpp"
#include "fixture.hpp"

#include <pcm/sample/memory_reading.hpp>

#include <doctest/doctest.h>

using namespace pcm::sample;
using pcm::test::read_fixture;

TEST_CASE("meminfo: every field by name, kB turned into bytes, counts kept as counts") {
    Meminfo info;
    REQUIRE(parse_meminfo(read_fixture("proc/debian12-vm/meminfo"), info));
    CHECK(info.fields.size() > 40);
    CHECK(info.get("MemTotal").value() % 1024 == 0);
    CHECK(info.get("MemTotal").value() > info.get("MemAvailable").value());
    CHECK(info.get("HugePages_Total").has_value());
    CHECK_FALSE(info.get("NoSuchField").has_value());

    Meminfo old;
    REQUIRE(parse_meminfo(read_fixture("edge/meminfo-linux-3.10-no-memavailable"), old));
    CHECK(old.get("MemTotal") == 2048000ull * 1024);
    CHECK(old.get("HugePages_Total") == 0);
    CHECK(old.get("Hugepagesize") == 2048ull * 1024);
}

TEST_CASE("meminfo: the summary, with the estimate for kernels without MemAvailable") {
    Meminfo old;
    REQUIRE(parse_meminfo(read_fixture("edge/meminfo-linux-3.10-no-memavailable"), old));
    MemorySummary s = summarize(old);
    CHECK(s.available == (512000ull + 128000 + 256000) * 1024);
    CHECK(s.used == s.total - s.available);
    CHECK(s.used_percent == doctest::Approx(100.0 * (2048000 - 896000) / 2048000));
    CHECK(s.swap_used == 256000ull * 1024);
    CHECK(s.swap_used_percent == doctest::Approx(25.0));
    CHECK(s.dirty == 1234ull * 1024);
}

TEST_CASE("meminfo: malformed input is an error") {
    Meminfo info;
    CHECK_FALSE(parse_meminfo("", info));
    CHECK_FALSE(parse_meminfo("MemTotal 100 kB\n", info));
    CHECK_FALSE(parse_meminfo("MemTotal: lots kB\n", info));
    CHECK_FALSE(parse_meminfo("MemTotal: 100 MB\n", info));
    CHECK_FALSE(parse_meminfo("MemFree: 100 kB\n", info));  // no MemTotal
    CHECK_FALSE(parse_meminfo("MemTotal: 99999999999999999999 kB\n", info));
}

TEST_CASE("meminfo: re-parsing the same fields allocates nothing") {
    std::string text = read_fixture("proc/debian12-vm/meminfo");
    Meminfo info;
    REQUIRE(parse_meminfo(text, info));
    pcm::test::AllocProbe probe;
    for (int i = 0; i < 100; ++i) REQUIRE(parse_meminfo(text, info));
    CHECK(probe.delta().calls == 0);
}
