#pragma once
// Test helper: a Unix socketpair whose one end is a libuv pipe on a private loop and whose
// other end the test reads and writes directly.
#include "../async/loop_fixture.hpp"

#include <pcm/uv/handle.hpp>

#include <doctest/doctest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <string_view>

namespace pcm::test {

struct SocketPair {
    LoopFixture fx;
    int peer = -1;
    uv::Handle<uv_pipe_t> pipe{uv_pipe_init, fx.loop.get(), 0};
    SocketPair() {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
        peer = fds[1];
        REQUIRE(uv_pipe_open(pipe.get(), fds[0]) == 0);
    }
    ~SocketPair() {
        if (peer >= 0) ::close(peer);
    }
    SocketPair(const SocketPair&) = delete;
    SocketPair& operator=(const SocketPair&) = delete;

    uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(pipe.get()); }
    void write(std::string_view text) {
        REQUIRE(::write(peer, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    }

    /// Whether the peer has something to read right now, without running the loop.
    bool readable() const {
        pollfd p{peer, POLLIN, 0};
        return ::poll(&p, 1, 0) == 1;
    }
    /// What one read(2) on the peer returns now (empty if nothing is there).
    std::string read_once() const {
        if (!readable()) return {};
        char buffer[1 << 16];
        ssize_t n = ::read(peer, buffer, sizeof buffer);
        return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
    }
};

}  // namespace pcm::test
