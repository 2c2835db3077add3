// Device and mount patterns: POSIX extended regular expressions through the C library.
#include <pcm/sample/pattern.hpp>

#include <doctest/doctest.h>

#include <stdexcept>
#include <utility>

using pcm::sample::Pattern;

TEST_CASE("the default patterns match what they are meant to, anchors inside groups included") {
    Pattern disks(R"(^(z?ram|loop|fd|(h|s|v|xv)d[a-z]+|nvme[0-9]+n[0-9]+p|mmcblk[0-9]+p)[0-9]+$)");
    for (const char* partition : {"sda1", "vdb12", "nvme0n1p3", "mmcblk0p1", "loop7", "zram0", "ram15", "xvda2"})
        CHECK_MESSAGE(disks.search(partition), partition);
    for (const char* disk : {"sda", "nvme0n1", "mmcblk0", "dm-0", "md127", "sr0"})
        CHECK_MESSAGE(!disks.search(disk), disk);

    Pattern mounts(R"(^/(dev|proc|sys|var/lib/docker/.+)($|/)|^/run/(lock|user|credentials)($|/))");
    CHECK(mounts.search("/dev"));
    CHECK(mounts.search("/dev/shm"));
    CHECK(mounts.search("/run/user/1000"));
    CHECK(mounts.search("/var/lib/docker/overlay2/abc/merged"));
    CHECK_FALSE(mounts.search("/devices"));
    CHECK_FALSE(mounts.search("/"));
    CHECK_FALSE(mounts.search("/run"));
    CHECK_FALSE(mounts.search("/var/lib/docker"));
}

TEST_CASE("the empty pattern matches nothing; a moved-from pattern is empty") {
    Pattern none;
    CHECK(none.empty());
    CHECK_FALSE(none.search(""));
    CHECK_FALSE(Pattern("").search("anything"));
    Pattern a("a");
    Pattern b(std::move(a));
    CHECK(b.search("xax"));
    CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the state after a move is specified
}

TEST_CASE("invalid, ECMAScript-only and explosive patterns are refused with their reason") {
    CHECK(Pattern::problem("(nvme")->starts_with("is not a valid regular expression: "));
    CHECK(*Pattern::problem(R"(nvme\d+)") == R"(\d is ECMAScript, not POSIX: write [0-9] (or [^0-9]))");
    CHECK_FALSE(Pattern::problem(R"(a\\d)"));  // an escaped backslash followed by d
    CHECK(Pattern::problem("a{1001}"));
    CHECK_FALSE(Pattern::problem("a{1000}"));
    CHECK(Pattern::problem("((a{100}){100}){100}"));
    CHECK_THROWS_AS(Pattern("(unclosed"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(Pattern(R"(\D)"), R"(\D is ECMAScript, not POSIX: write [0-9] (or [^0-9]))",
                         std::invalid_argument);
}
