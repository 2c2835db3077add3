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

TEST_CASE("mountinfo: read-only when the mount or its superblock says ro, as statvfs's ST_RDONLY does") {
    std::vector<MountEntry> mounts;
    REQUIRE(
        parse_mountinfo("27 26 0:24 / /mnt/ro ro,nosuid,relatime - tmpfs none ro,size=4k\n"
                        "28 26 0:25 / /mnt/bind-ro rw,relatime,ro shared:3 - ext4 /dev/vdc rw\n"
                        "29 26 0:26 / /mnt/sb-ro rw,relatime - squashfs /dev/loop0 ro\n"
                        "30 26 0:27 / /mnt/rw rw,relatime,errors=remount-ro - ext4 /dev/vdd rw,errors=remount-ro\n"
                        "31 26 0:28 / /mnt/old rw - ext4 /dev/vde\n",
                        mounts));
    REQUIRE(mounts.size() == 5);
    CHECK(mounts[0].read_only);
    CHECK(mounts[1].read_only);
    CHECK(mounts[2].read_only);
    CHECK_FALSE(mounts[3].read_only);  // "remount-ro" is not "ro"
    CHECK_FALSE(mounts[4].read_only);  // no superblock options at all
    CHECK(mounts[4].source == "/dev/vde");
}
