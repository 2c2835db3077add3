#include "fixture.hpp"

#include <pcm/sample/diskstats.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace pcm::sample;
using pcm::test::read_fixture;

TEST_CASE("diskstats: the 14-, 18- and 20-field layouts") {
    std::vector<DiskLine> disks;
    REQUIRE(parse_diskstats(read_fixture("edge/diskstats-linux-4.14-fourteen-fields"), disks));
    REQUIRE(disks.size() == 3);
    CHECK(disks[0].name == "sda");
    CHECK(disks[0].major == 8);
    CHECK(disks[0].counters.count == 11);
    CHECK(disks[0].counters[DiskCounters::sectors_read] == 313094);
    CHECK(disks[0].counters[DiskCounters::weighted_io_ms] == 10432);
    CHECK(disks[0].counters[DiskCounters::discards] == 0);

    REQUIRE(parse_diskstats(read_fixture("edge/diskstats-linux-4.18-eighteen-fields"), disks));
    REQUIRE(disks.size() == 3);
    CHECK(disks[0].name == "nvme0n1");
    CHECK(disks[0].counters.count == 15);
    CHECK(disks[0].counters[DiskCounters::in_flight] == 2);
    CHECK(disks[0].counters[DiskCounters::sectors_discarded] == 2048);
    CHECK(disks[0].counters[DiskCounters::flushes] == 0);

    REQUIRE(parse_diskstats(read_fixture("proc/debian12-vm/diskstats"), disks));
    const DiskLine* vda = nullptr;
    for (const DiskLine& d : disks)
        if (d.name == "vda") vda = &d;
    REQUIRE(vda != nullptr);
    CHECK(vda->counters.count == 17);
    CHECK(vda->counters[DiskCounters::flushes] > 0);
}

TEST_CASE("diskstats: a malformed line is reported and skipped, the rest kept") {
    std::vector<DiskLine> disks;
    ParseStatus status = parse_diskstats(read_fixture("edge/diskstats-with-bad-line"), disks);
    CHECK_FALSE(status);
    CHECK(status.line == 2);
    REQUIRE(disks.size() == 2);
    CHECK(disks[0].name == "vda");
    CHECK(disks[1].name == "vdc");
    CHECK(disks[1].counters[DiskCounters::reads] == 10);

    CHECK_FALSE(parse_diskstats("8 0 sda 1 2 3 4 5 6 7 8 9 10 x\n", disks));
    CHECK(disks.empty());
}
