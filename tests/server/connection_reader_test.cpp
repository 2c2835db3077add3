// The socket case: one reusable awaitable serves every read of a connection, over a real
// Unix socketpair driven by a libuv loop.
#include "alloc_counter.hpp"
#include "socket_pair.hpp"

#include <pcm/async/errors.hpp>
#include <pcm/async/task.hpp>
#include <pcm/server/connection_reader.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pcm;
using namespace pcm::server;

namespace {

using Pair = test::SocketPair;

async::Task<void> collect(ConnectionReader& reader, std::vector<std::string>& lines, ReadResult::Kind& ended) {
    for (;;) {
        ReadResult r = co_await reader.read_line();
        if (r.kind != ReadResult::Kind::line) {
            ended = r.kind;
            co_return;
        }
        lines.emplace_back(r.line);
    }
}

}  // namespace

TEST_CASE("lines arrive in order, split or joined across writes, CRLF tolerated, then the end") {
    Pair p;
    ConnectionReader reader(p.stream(), 64);
    reader.start();
    std::vector<std::string> lines;
    ReadResult::Kind ended = ReadResult::Kind::line;
    async::spawn(collect(reader, lines, ended));
    p.write("PING\nGET c");
    p.fx.run_until([&] { return lines.size() == 1; });
    p.write("pu\r\nSTATS\nHEL");
    p.fx.run_until([&] { return lines.size() == 3; });
    p.write("P\n");
    ::close(p.peer);
    p.peer = -1;
    p.fx.run_until([&] { return ended != ReadResult::Kind::line; });
    CHECK(lines == std::vector<std::string>{"PING", "GET cpu", "STATS", "HELP"});
    CHECK(ended == ReadResult::Kind::end);
    CHECK(reader.bytes_received() == 25);
}

TEST_CASE("a line longer than the limit is reported, not buffered without end") {
    Pair p;
    ConnectionReader reader(p.stream(), 16);
    reader.start();
    std::vector<std::string> lines;
    ReadResult::Kind ended = ReadResult::Kind::line;
    async::spawn(collect(reader, lines, ended));
    p.write("short\n" + std::string(40, 'x'));
    p.fx.run_until([&] { return ended != ReadResult::Kind::line; });
    CHECK(lines == std::vector<std::string>{"short"});
    CHECK(ended == ReadResult::Kind::too_long);
}

TEST_CASE("one read at a time; the same source serves every read with a new version") {
    Pair p;
    ConnectionReader reader(p.stream(), 64);
    reader.start();
    async::ValueTask<ReadResult> first = reader.read_line();
    CHECK_THROWS_AS((void)reader.read_line(), async::invalid_operation);
    p.write("A\nB\n");
    p.fx.run_until([&] { return first.is_completed(); });
    CHECK(first.get().line == "A");
    async::ValueTask<ReadResult> second = reader.read_line();
    CHECK(second.is_completed());  // already buffered: the done path, no suspension
    CHECK(second.get().line == "B");
    reader.abort();
    async::ValueTask<ReadResult> after = reader.read_line();
    CHECK(after.get().kind == ReadResult::Kind::end);
}

TEST_CASE("reading request lines allocates nothing in steady state") {
    Pair p;
    ConnectionReader reader(p.stream(), 256);
    reader.start();
    std::uint64_t count = 0;
    auto reader_loop = [](ConnectionReader& r, std::uint64_t& n) -> async::Task<void> {
        for (;;) {
            ReadResult line = co_await r.read_line();
            if (line.kind != ReadResult::Kind::line) co_return;
            ++n;
        }
    };
    async::spawn(reader_loop(reader, count));
    std::string burst;
    for (int i = 0; i < 20; ++i) burst += "GET cpu\n";
    for (int i = 0; i < 5; ++i) {
        p.write(burst);
        p.fx.run_until([&] { return count == static_cast<std::uint64_t>(20 * (i + 1)); });
    }
    test::AllocProbe probe;
    for (int i = 0; i < 50; ++i) {
        p.write(burst);
        p.fx.run_until([&] { return count == static_cast<std::uint64_t>(100 + 20 * (i + 1)); });
    }
    CHECK(probe.delta().calls == 0);
    reader.abort();
}

TEST_CASE("line_buffered tells whether the client has already sent another whole line") {
    Pair p;
    ConnectionReader reader(p.stream(), 64);
    reader.start();
    p.write("A\nB\nC");
    auto a = reader.read_line();
    p.fx.run_until([&] { return a.is_completed(); });
    CHECK(a.get().line == "A");
    CHECK(reader.line_buffered());  // B is whole
    auto b = reader.read_line();
    REQUIRE(b.is_completed());  // buffered: no suspension
    CHECK(b.get().line == "B");
    CHECK_FALSE(reader.line_buffered());  // C has no end yet
    p.write("\n");
    auto c = reader.read_line();
    p.fx.run_until([&] { return c.is_completed(); });
    CHECK(c.get().line == "C");
    CHECK_FALSE(reader.line_buffered());
}
