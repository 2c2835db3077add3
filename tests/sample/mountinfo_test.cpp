#include "fixture.hpp"

#include <pcm/sample/mountinfo.hpp>

#include <doctest/doctest.h>

using namespace pcm::sample;

TEST_CASE("mountinfo: escapes decoded, optional fields skipped, a bad line reported") {
    std::vector<MountEntry> mounts;
    ParseStatus status = parse_mountinfo(pcm::test::read_fixture("edge/mountinfo-escapes-binds-optional"), mounts);
    CHECK_FALSE(status);
    CHECK(status.line == 9);
    REQUIRE(mounts.size() == 8);
    CHECK(mounts[0].mount_point == "/");
    CHECK(mounts[0].fstype == "ext4");
    CHECK(mounts[0].source == "/dev/vda");
    CHECK(mounts[1].mount_point == "/srv/My Files");
    CHECK(mounts[1].major == 254);
    CHECK(mounts[1].minor == 16);
    CHECK(mounts[2].mount_point == "/mnt/tab\there");
    CHECK(mounts[2].root == "/data");
    CHECK(mounts[3].mount_point == "/mnt/back\\slash");
    CHECK(mounts[3].source == "tmp fs");
}

TEST_CASE("mountinfo: octal escapes at the edges") {
    std::string out;
    decode_octal_escapes("a\\040b", out);
    CHECK(out == "a b");
    decode_octal_escapes("end\\04", out);  // cut short: kept as written
    CHECK(out == "end\\04");
    decode_octal_escapes("\\134\\012", out);
    CHECK(out == "\\\n");
    decode_octal_escapes("\\9xy", out);
    CHECK(out == "\\9xy");
}

TEST_CASE("mountinfo: this machine's table parses") {
    std::vector<MountEntry> mounts;
    REQUIRE(parse_mountinfo(pcm::test::read_fixture("proc/debian12-vm/self/mountinfo"), mounts));
    bool root = false;
    for (const MountEntry& m : mounts) root = root || m.mount_point == "/";
    CHECK(root);
}
