// The bounded output queue over a real Unix socketpair: immediate writes, held replies
// that leave together, the bound, and draining.
#include "../async/wait.hpp"
#include "socket_pair.hpp"

#include <pcm/server/output_queue.hpp>

#include <doctest/doctest.h>

#include <csignal>
#include <string>

using pcm::server::OutputQueue;
using pcm::test::SocketPair;
using pcm::test::wait_until;

TEST_CASE("a reply on an idle connection is written at once, without a turn of the loop") {
    SocketPair p;
    OutputQueue q(p.stream(), 1024);
    CHECK(q.send("{\"ok\":true}\n"));
    CHECK(q.queued() == 0);
    CHECK(q.bytes_sent() == 12);
    CHECK(p.read_once() == "{\"ok\":true}\n");
}

TEST_CASE("held replies gather, in order, and leave in one write when released") {
    SocketPair p;
    OutputQueue q(p.stream(), 1024);
    q.hold(true);
    CHECK(q.send("one\n"));
    CHECK(q.send("two\n"));
    CHECK(q.send("three\n"));
    CHECK_FALSE(p.readable());
    CHECK(q.queued() == 14);
    q.hold(false);
    CHECK(q.queued() == 0);
    CHECK(p.read_once() == "one\ntwo\nthree\n");
    CHECK(q.bytes_sent() == 14);
}

TEST_CASE(
    "behind a peer that does not read, one large reply is taken, then the bound refuses; all of it arrives once read") {
    SocketPair p;
    OutputQueue q(p.stream(), 1024);
    const std::string big(1 << 20, 'x');  // larger than the socket buffer and than the bound
    CHECK(q.send(big));
    CHECK(q.queued() > 0);
    CHECK_FALSE(q.send("more\n"));  // would pile up behind unread bytes
    bool drained = false;
    q.when_drained([](void* flag) { *static_cast<bool*>(flag) = true; }, &drained);
    std::size_t received = 0;
    // The peer's reads make the progress, and the loop cannot see them: step it without
    // blocking, read, and ask again.
    wait_until([&] { return drained; },
               [&] {
                   uv_run(p.fx.loop.get(), UV_RUN_NOWAIT);
                   received += p.read_once().size();
               },
               "the queue to drain into a reading peer");
    received += p.read_once().size();
    CHECK(received == big.size());
    CHECK(q.bytes_sent() == big.size());
    CHECK_FALSE(q.failed());
    CHECK(q.send("after\n"));  // the connection is usable again
    CHECK(p.read_once() == "after\n");
}

TEST_CASE("a peer that has gone: the queue reports failure and refuses more") {
    ::signal(SIGPIPE, SIG_IGN);  // as the daemon does: a vanished peer is an error code, not a signal
    SocketPair p;
    OutputQueue q(p.stream(), 1024);
    ::close(p.peer);
    p.peer = -1;
    CHECK(q.send("lost\n"));  // accepted: the failure shows on this write
    CHECK(q.failed());
    CHECK_FALSE(q.send("more\n"));
}
