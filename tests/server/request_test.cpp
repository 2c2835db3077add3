#include <pcm/server/request.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace pcm::server;
using pcm::monitor::Group;

namespace {
std::string code_of(std::string_view line) {
    ParsedRequest p = parse_request(line);
    return p.request ? "ok" : std::string(p.error.code);
}
}  // namespace

TEST_CASE("requests: commands in any case, groups and numbers") {
    ParsedRequest get = parse_request("get Cpu");
    REQUIRE(get.request);
    CHECK(get.request->command == Command::get);
    CHECK(get.request->group == Group::cpu);

    ParsedRequest all = parse_request("GET all");
    REQUIRE(all.request);
    CHECK_FALSE(all.request->group);

    ParsedRequest wait = parse_request("  WAIT\tfs 250  ");
    REQUIRE(wait.request);
    CHECK(wait.request->command == Command::wait);
    CHECK(wait.request->group == Group::filesystem);
    CHECK(wait.request->timeout == std::chrono::milliseconds(250));

    ParsedRequest history = parse_request("history mem 60");
    REQUIRE(history.request);
    CHECK(history.request->group == Group::memory);
    CHECK(history.request->span == std::chrono::seconds(60));
    CHECK(parse_request("SUBSCRIBE disk 1000").request->every == std::chrono::seconds(1));

    for (const char* ok : {"PING", "help", "UNSUBSCRIBE", "metrics", "Stats", "CONFIG", "reload", "SUBSCRIBE disk",
                           "SUBSCRIBE disk 1000", "WAIT cpu"})
        CHECK_MESSAGE(code_of(ok) == "ok", ok);
}

TEST_CASE("requests: every malformed line gets a code, nothing else happens") {
    CHECK(code_of("") == "empty");
    CHECK(code_of("   ") == "empty");
    CHECK(code_of("FROB") == "unknown_command");
    CHECK(code_of(std::string("PING\0x", 6)) == "binary");
    CHECK(code_of("GET \x1b[2J") == "binary");
    CHECK(code_of("GET") == "bad_argument");
    CHECK(code_of("GET gpu") == "bad_argument");
    CHECK(code_of("WAIT all") == "bad_argument");  // ALL is for GET only
    CHECK(code_of("WAIT cpu -1") == "bad_argument");
    CHECK(code_of("WAIT cpu 1e3") == "bad_argument");
    CHECK(code_of("WAIT cpu 99999999999999999999999") == "bad_argument");
    CHECK(code_of("HISTORY cpu") == "bad_argument");
    CHECK(code_of("HISTORY cpu 0") == "bad_argument");
    CHECK(code_of("PING extra") == "bad_argument");
    CHECK(code_of("GET cpu memory") == "bad_argument");
}
