#include <pcm/sample/process_stat.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

using namespace pcm::sample;

TEST_CASE("process stat: the figures after the command name, whatever the name holds") {
    ProcessStat p;
    // Captured from `cat /proc/self/stat` on Debian 12, then the same with a hostile name.
    const std::string tail =
        " R 2957 2957 18264 0 -1 4194304 98 0 0 0 7 3 0 0 20 0 1 0 2406691 3133440 379 18446744073709551615 "
        "93934026190848 93934026210729 140725829858272 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    REQUIRE(parse_process_stat("2962 (cat)" + tail, p));
    CHECK(p.user_ticks == 7);
    CHECK(p.system_ticks == 3);
    CHECK(p.start_ticks == 2406691);
    CHECK(p.virtual_bytes == 3133440);
    CHECK(p.resident_pages == 379);
    ProcessStat q;
    REQUIRE(parse_process_stat("2962 (a) b (c) 1 2)" + tail, q));  // comm may hold ") (" and digits
    CHECK(q.start_ticks == 2406691);
    CHECK(q.resident_pages == 379);
}

TEST_CASE("process stat: malformed lines are refused and leave the output alone") {
    ProcessStat p;
    p.resident_pages = 5;
    CHECK_FALSE(parse_process_stat("", p));
    CHECK_FALSE(parse_process_stat("12 cat R 1 2 3", p));
    CHECK_FALSE(parse_process_stat("12 (cat) R 1 2 3", p));  // cut short
    CHECK_FALSE(parse_process_stat("12 (cat) R 1 2 3 4 5 6 7 8 9 10 x 12 13 14 15 16 17 18 19 20 21 22", p));
    CHECK(p.resident_pages == 5);
}

TEST_CASE("process stat: this process's own line parses") {
    std::ifstream in("/proc/self/stat");
    std::stringstream text;
    text << in.rdbuf();
    ProcessStat p;
    REQUIRE(parse_process_stat(text.str(), p));
    CHECK(p.virtual_bytes > 0);
    CHECK(p.resident_pages > 0);
    CHECK(p.start_ticks > 0);
}
