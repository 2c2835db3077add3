#include <pcm/client/socket_discovery.hpp>

#include <doctest/doctest.h>

#include <cerrno>
#include <string>
#include <vector>

using pcm::client::connect_failure_reason;
using pcm::client::socket_candidates;
using pcm::client::system_socket_path;
using Paths = std::vector<std::string>;

TEST_CASE("an explicit --socket is the only path tried, whatever the environment says") {
    CHECK(socket_candidates({"/x.sock", "/env.sock", "/own.sock"}) == Paths{"/x.sock"});
}

TEST_CASE("$PCMONITOR_SOCKET is the only path tried when there is no --socket") {
    CHECK(socket_candidates({"", "/env.sock", "/own.sock"}) == Paths{"/env.sock"});
}

TEST_CASE("otherwise the user's own daemon comes first, then the system service") {
    CHECK(socket_candidates({"", "", "/run/user/1000/pcmonitor/pcmonitor.sock"}) ==
          Paths{"/run/user/1000/pcmonitor/pcmonitor.sock", std::string(system_socket_path)});
}

TEST_CASE("root's own socket is the system socket: it is tried once") {
    CHECK(socket_candidates({"", "", std::string(system_socket_path)}) == Paths{std::string(system_socket_path)});
}

TEST_CASE("a refused connection is explained in the user's terms") {
    CHECK(connect_failure_reason(EACCES).find("group pcmonitor") != std::string::npos);
    CHECK(connect_failure_reason(ENOENT).find("absent") != std::string::npos);
    CHECK(connect_failure_reason(ECONNREFUSED).find("stale") != std::string::npos);
    CHECK_FALSE(connect_failure_reason(EIO).empty());
}
