// The article's walkthrough, step by step. Steps 3 and 4 run the very same tests against
// the hand-written source and the one on the reusable core.
#include "../async/capture.hpp"
#include "../async/loop_fixture.hpp"
#include "alloc_counter.hpp"

#include <pcm/async/errors.hpp>
#include <pcm/walkthrough/core_source.hpp>
#include <pcm/walkthrough/hand_written_source.hpp>
#include <pcm/walkthrough/pc_monitor.hpp>
#include <pcm/walkthrough/pooled_pc_monitor.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <string_view>
#include <thread>
#include <vector>

using namespace pcm;
using namespace pcm::walkthrough;
using namespace std::chrono_literals;
using test::Capture;
using Calls = std::vector<std::string_view>;

TEST_CASE_TEMPLATE("pending path: status, on_completed, result", Source, HandWrittenSource, CoreSource) {
    Source source;
    source.trace().enable(true);
    async::ValueTask<CpuSample> task = source.start();
    Capture<CpuSample> out;
    test::start_awaiting(task, out);
    CHECK(source.trace().calls() == Calls{"status", "on_completed"});
    CHECK(source.complete(source.token(), {7, 12.5}));
    REQUIRE(out.done);
    CHECK(out.value->sequence == 7);
    CHECK(source.trace().calls() == Calls{"status", "on_completed", "result"});
    CHECK(source.idle());
}

TEST_CASE_TEMPLATE("already-done path: status, then result", Source, HandWrittenSource, CoreSource) {
    Source source;
    source.trace().enable(true);
    async::ValueTask<CpuSample> task = source.start();
    source.complete(source.token(), {3, 1.0});
    Capture<CpuSample> out;
    test::start_awaiting(task, out);
    CHECK(out.value->sequence == 3);
    CHECK(source.trace().calls() == Calls{"status", "result"});
}

TEST_CASE_TEMPLATE("the sample lands between status and on_completed: the continuation runs at once, once", Source,
                   HandWrittenSource, CoreSource) {
    Source source;
    source.trace().enable(true);
    async::ValueTask<CpuSample> task = source.start();
    async::Token token = source.token();
    CHECK(source.status(token) == async::SourceStatus::pending);
    source.complete(token, {9, 50});  // the timer fires right here
    int runs = 0;
    source.on_completed([](void* n) { ++*static_cast<int*>(n); }, &runs, token, async::CompletionFlags::none);
    CHECK(runs == 1);
    CHECK(source.result(token).sequence == 9);
    CHECK_FALSE(source.complete(token, {10, 0}));  // nothing waits any more: no second run
    CHECK(runs == 1);
    Calls calls = source.trace().calls();
    CHECK(calls.front() == "status");
    CHECK(calls.back() == "result");
    (void)task;  // consumed through the source directly
}

TEST_CASE_TEMPLATE("result never blocks; a stale token is refused", Source, HandWrittenSource, CoreSource) {
    Source source;
    async::ValueTask<CpuSample> first = source.start();
    async::Token token = source.token();
    CHECK_THROWS_AS(source.result(token), async::invalid_operation);  // not yet: throws, does not wait
    source.complete(token, {1, 0});
    CHECK(first.get().sequence == 1);
    async::ValueTask<CpuSample> second = source.start();
    async::ValueTask<CpuSample> stale(source, token);
    CHECK_THROWS_AS(stale.get(), async::invalid_operation);
    source.complete(source.token(), {2, 0});
    CHECK(second.get().sequence == 2);
}

TEST_CASE_TEMPLATE("on a libuv timer, real CPU samples arrive in order", Source, HandWrittenSource, CoreSource) {
    test::LoopFixture fx;
    PcMonitor<Source> monitor(fx.loop.get(), 20ms);
    monitor.start();
    std::vector<CpuSample> got;
    auto consumer = [](PcMonitor<Source>& m, std::vector<CpuSample>& out) -> async::Task<void> {
        for (int i = 0; i < 3; ++i) out.push_back(co_await m.next_sample());
    };
    async::spawn(consumer(monitor, got));
    fx.run_until([&] { return got.size() == 3; });
    CHECK(got[1].sequence == got[0].sequence + 1);
    CHECK(got[2].sequence == got[1].sequence + 1);
    CHECK(std::isfinite(got[2].busy_percent));
    CHECK(got[2].busy_percent >= 0);
    CHECK(got[2].busy_percent <= 100);
}

TEST_CASE("pooled: 1,000 waiters get the same fresh sample; sources go back inside result()") {
    test::LoopFixture fx;
    PooledPcMonitor monitor(fx.scheduler, 1000ms, 1000);
    std::vector<async::ValueTask<CpuSample>> tasks;
    std::vector<Capture<CpuSample>> outs(1000);
    tasks.reserve(1000);
    for (int i = 0; i < 1000; ++i) {
        tasks.push_back(monitor.next_sample());
        test::start_awaiting(tasks[i], outs[i]);
    }
    CHECK_THROWS_AS((void)monitor.next_sample(), async::invalid_operation);  // the bound
    monitor.tick();
    int same = 0;
    for (auto& o : outs) same += o.done && o.value->sequence == outs[0].value->sequence;
    CHECK(same == 1000);
    async::PoolCounters c = monitor.pool_counters();
    CHECK(c.rented == 1000);
    CHECK(c.returned == 1000);
}

TEST_CASE("pooled: awaiting again after the source was reused is caught by its stale token") {
    test::LoopFixture fx;
    PooledPcMonitor monitor(fx.scheduler, 1000ms, 4);
    async::ValueTask<CpuSample> first = monitor.next_sample();
    auto [source, token] = monitor.last_wait();
    monitor.publish({1, 10});
    CHECK(first.get().sequence == 1);
    async::ValueTask<CpuSample> again(*source, token);  // the same task, kept and awaited twice
    CHECK_THROWS_AS(again.get(), async::invalid_operation);
    async::ValueTask<CpuSample> second = monitor.next_sample();
    CHECK(monitor.last_wait().first == source);  // reused...
    CHECK(monitor.last_wait().second != token);  // ...under a new version
    async::ValueTask<CpuSample> stale(*source, token);
    CHECK_THROWS_AS(stale.get(), async::invalid_operation);
    monitor.publish({2, 20});
    CHECK(second.get().sequence == 2);
}

TEST_CASE("pooled: a wait allocates nothing once the pool is warm, even with 1,000 waiters") {
    test::LoopFixture fx;
    PooledPcMonitor monitor(fx.scheduler, 1000ms, 1000);
    struct Consumers {
        PooledPcMonitor* m;
        long sum = 0;
    } state{&monitor};
    auto consumer = [](Consumers& s) -> async::Task<void> {
        for (int round = 0; round < 13; ++round) s.sum += static_cast<long>((co_await s.m->next_sample()).sequence);
    };
    for (int i = 0; i < 1000; ++i) async::spawn(consumer(state));  // frames: allocated here, once
    for (std::uint64_t round = 1; round <= 3; ++round) monitor.publish({round, 1});
    test::AllocProbe probe;
    for (std::uint64_t round = 4; round <= 13; ++round) monitor.publish({round, 1});
    CHECK(probe.delta().calls == 0);
    CHECK(monitor.pool_counters().created == 1000);
    CHECK(state.sum == 1000L * (13 * 14 / 2));
    CHECK(monitor.pool_counters().rented == monitor.pool_counters().returned);  // every consumer finished
}
