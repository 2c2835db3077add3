#include "../async/capture.hpp"
#include "../async/loop_fixture.hpp"
#include "alloc_counter.hpp"
#include "fixture.hpp"
#include "manual_clock.hpp"

#include <pcm/async/errors.hpp>
#include <pcm/monitor/monitor.hpp>

#include <doctest/doctest.h>

#include <chrono>

using namespace pcm;
using namespace pcm::monitor;
using namespace std::chrono_literals;
using pcm::test::Capture;

namespace {

config::Config fast_config(std::chrono::milliseconds interval) {
    config::Config c;
    c.cpu.interval = c.memory.interval = c.disk.interval = interval;
    c.filesystem.interval = std::max(interval, 50ms);
    c.filesystem.statfs_timeout = 40ms;
    c.procfs_root = (pcm::test::fixtures() / "proc/debian12-vm").string();
    return c;
}

struct Running {
    test::LoopFixture fx;
    Monitor monitor;
    explicit Running(const config::Config& c) : monitor(fx.scheduler, c) { monitor.start(); }
    ~Running() {
        bool stopped = false;
        monitor.stop([&] { stopped = true; });
        fx.run_until([&] { return stopped; });
    }
};

}  // namespace

// The schedule, on a clock that moves only when told: exact counts, no wall clock.
struct Manual {
    test::ManualClock clock;
    test::LoopFixture fx;
    Monitor monitor;
    explicit Manual(config::Config c) : monitor(fx.scheduler, with_slow_filesystem(c), clock) {
        monitor.start();  // cpu, memory and disk sample at once; the filesystem on the thread pool
        fx.run_until([&] { return monitor.header(Group::filesystem).sequence == 1; }, "the first filesystem sample");
    }
    ~Manual() {
        bool stopped = false;
        monitor.stop([&] { stopped = true; });
        fx.run_until(
            [&] {
                clock.run_due();  // the woken sleepers see the stop
                return stopped;
            },
            "the monitor to stop");
    }
    // One filesystem sample at start, then none: its statvfs runs on real threads.
    static config::Config with_slow_filesystem(config::Config c) {
        c.filesystem.interval = std::chrono::hours(1);
        return c;
    }
};

TEST_CASE("every deadline is sampled exactly when due: no drift, no lateness, none skipped") {
    Manual m(fast_config(20ms));
    CHECK(m.monitor.stats(Group::cpu).samples == 1);
    for (int i = 0; i < 300; ++i) m.clock.advance(7ms);  // 2,100 ms, in steps that are not the interval
    for (Group g : {Group::cpu, Group::memory, Group::disk}) {
        CAPTURE(name(g));
        CHECK(m.monitor.stats(g).samples == 1 + 2100 / 20);
        CHECK(m.monitor.skipped_ticks(g) == 0);
        CHECK(m.monitor.stats(g).lateness_ns.max == 0);
        CHECK(m.monitor.header(g).sequence == 1 + 2100 / 20);
        CHECK(m.monitor.stats(g).errors == 0);
    }
}

TEST_CASE("a blocked loop causes one late tick, not a burst of catch-up ticks") {
    Manual m(fast_config(20ms));
    m.clock.advance(100ms);  // ticks at 0, 20, ..., 100; the next deadline is 120
    REQUIRE(m.monitor.stats(Group::cpu).samples == 6);
    m.clock.stall(300ms);  // the loop runs again at 400: one tick, 280 ms late
    CHECK(m.monitor.stats(Group::cpu).samples == 7);
    CHECK(m.monitor.stats(Group::cpu).lateness_ns.max == 280'000'000);
    CHECK(m.monitor.skipped_ticks(Group::cpu) == 14);  // 140, 160, ..., 400
    m.clock.advance(20ms);                             // back on the grid: 420
    CHECK(m.monitor.stats(Group::cpu).samples == 8);
    CHECK(m.monitor.skipped_ticks(Group::cpu) == 14);
}

TEST_CASE("apply() changes the interval without a restart and keeps the history") {
    Manual m(fast_config(100ms));
    m.clock.advance(350ms);  // ticks at 0, 100, 200, 300
    REQUIRE(m.monitor.stats(Group::memory).samples == 4);
    std::size_t history_before = m.monitor.history_size(Group::memory);
    m.monitor.apply(Manual::with_slow_filesystem(fast_config(10ms)));
    m.clock.advance(300ms);  // the next deadline is now (300 + 10 has passed): 350, 360, ..., 650
    CHECK(m.monitor.stats(Group::memory).samples == 4 + 31);
    CHECK(m.monitor.skipped_ticks(Group::memory) == 0);
    CHECK(m.monitor.history_size(Group::memory) == history_before + 31);
}

TEST_CASE("next(): every waiter gets the same fresh sample; timeouts, cancels and the pool balance") {
    config::Config c = fast_config(50ms);
    c.memory.interval = c.disk.interval = c.filesystem.interval = 10s;  // no sample races the timeout or cancel
    Running r(c);
    r.fx.run_for(10ms);  // first samples done
    std::uint64_t current = r.monitor.header(Group::cpu).sequence;

    constexpr int waiters = 1000;
    std::vector<async::ValueTask<std::uint64_t>> tasks;
    std::vector<Capture<std::uint64_t>> outs(waiters);
    tasks.reserve(waiters);
    for (int i = 0; i < waiters; ++i) {
        tasks.push_back(r.monitor.next(Group::cpu));
        test::start_awaiting(tasks[i], outs[i]);
    }
    CHECK(r.monitor.waiting(Group::cpu) == waiters);
    r.fx.run_until([&] { return outs[waiters - 1].done.load(); });
    int same = 0;
    for (auto& o : outs) same += o.value == current + 1;
    CHECK(same == waiters);
    CHECK(r.monitor.waiting(Group::cpu) == 0);
    CHECK(r.monitor.last_fan_out(Group::cpu).waiters == static_cast<std::size_t>(waiters));
    CHECK(r.monitor.last_fan_out(Group::cpu).ns > 0);

    auto timed = r.monitor.next(Group::disk, 1ms);
    Capture<std::uint64_t> timed_out;
    test::start_awaiting(timed, timed_out);
    std::stop_source stop;
    auto cancelable = r.monitor.next(Group::memory, 0ms, stop.get_token());
    Capture<std::uint64_t> canceled;
    test::start_awaiting(cancelable, canceled);
    r.fx.run_for(5ms);
    stop.request_stop();
    r.fx.run_until([&] { return timed_out.done && canceled.done; });
    REQUIRE(timed_out.error);
    CHECK_THROWS_AS(pcm::test::rethrow(timed_out.error), async::timeout_error);
    REQUIRE(canceled.error);
    CHECK_THROWS_AS(pcm::test::rethrow(canceled.error), async::canceled_error);
    async::PoolCounters pool = r.monitor.waiter_pool();
    CHECK(pool.rented == pool.returned);
    CHECK(pool.created <= waiters);
}

TEST_CASE("next() beyond limits.max_waiters is refused") {
    config::Config c = fast_config(1000ms);
    c.limits.max_waiters = 2;
    Running r(c);
    auto a = r.monitor.next(Group::cpu);
    auto b = r.monitor.next(Group::cpu);
    CHECK_THROWS_AS((void)r.monitor.next(Group::cpu), too_many_waiters);
    r.fx.run_until([&] { return a.is_completed() && b.is_completed(); });
    a.get();
    b.get();
    auto again = r.monitor.next(Group::cpu);  // the slots are free again once the waiters were consumed
    r.fx.run_until([&] { return again.is_completed(); });
    CHECK(again.get() > 0);
}

TEST_CASE("stopping fails pending waiters with shutting_down and leaks no handle") {
    uv::Loop loop;
    auto run_until = [&](auto done) {
        while (!done()) uv_run(loop.get(), UV_RUN_NOWAIT);
    };
    {
        async::LoopScheduler scheduler(loop.get());
        Monitor monitor(scheduler, fast_config(1000ms));
        monitor.start();
        auto until = std::chrono::steady_clock::now() + 5ms;
        run_until([&] { return std::chrono::steady_clock::now() >= until; });
        auto pending = monitor.next(Group::filesystem);
        Capture<std::uint64_t> out;
        test::start_awaiting(pending, out);
        bool stopped = false;
        monitor.stop([&] { stopped = true; });
        run_until([&] { return stopped; });
        REQUIRE(out.done);
        CHECK_THROWS_AS(pcm::test::rethrow(out.error), shutting_down);
        CHECK_THROWS_AS(monitor.next(Group::cpu).get(), shutting_down);
    }
    CHECK(loop.close() == 0);  // every handle the monitor and scheduler opened was closed
}

TEST_CASE("a steady-state tick makes no heap allocation") {
    config::Config c = fast_config(10ms);
    c.procfs_root = "/proc";  // the real thing: changing counters, real devices and mounts
    Running r(c);
    r.fx.run_for(200ms);  // sets learnt, buffers sized
    std::uint64_t ticks_before = 0;
    for (Group g : all_groups) ticks_before += r.monitor.stats(g).samples;
    auto ticks = [&] {
        std::uint64_t sum = 0;
        for (Group g : all_groups) sum += r.monitor.stats(g).samples;
        return sum;
    };
    test::AllocProbe probe;
    r.fx.run_until([&] { return ticks() - ticks_before >= 100; });  // however long a loaded machine takes
    test::AllocCounts delta = probe.delta();
    MESSAGE((ticks() - ticks_before), " ticks, ", delta.calls, " allocations");
    CHECK(delta.calls == 0);
}
