// Steady-state allocation counts of the pooled handoff, counted by the replaced global
// operator new linked into this binary.
#include "alloc_counter.hpp"
#include "loop_fixture.hpp"
#include "wait.hpp"

#include <pcm/async/object_pool.hpp>
#include <pcm/async/pooled_completion_source.hpp>
#include <pcm/async/task.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace pcm::async;

namespace {

using PooledSource = PooledCompletionSource<int>;
using SourcePool = PooledSource::Pool;

struct Handoff {
    SourcePool pool{4};
    std::atomic<PooledSource*> waiting{nullptr};
    long sum = 0;
    bool finished = false;
};

// Rents a source, awaits its task, and lets the source return itself to the pool.
Task<void> consume(Handoff& h, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        PooledSource* source = h.pool.rent().release();
        source->pool = &h.pool;
        ValueTask<int> task = source->create_task();
        h.waiting.store(source, std::memory_order_release);
        h.sum += co_await task;
    }
    h.finished = true;
}

// Completes whatever the consumer waits on, `rounds` times.
void produce(Handoff& h, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        PooledSource* source = nullptr;
        pcm::test::wait_until(
            [&] { return (source = h.waiting.exchange(nullptr, std::memory_order_acquire)) != nullptr; },
            "the consumer to wait on a source");
        if (source != nullptr) source->try_set_result(1);
    }
}

}  // namespace

TEST_CASE("pooled rent, create_task, complete, co_await, return: zero allocations in steady state") {
    constexpr int warmup = 100, measured = 10'000;
    Handoff h;
    spawn(consume(h, warmup + measured));
    produce(h, warmup);
    pcm::test::AllocProbe probe;
    produce(h, measured);
    pcm::test::AllocCounts delta = probe.delta();
    CHECK(h.finished);
    CHECK(h.sum == warmup + measured);
    CHECK(delta.calls == 0);
    CHECK(delta.bytes == 0);
    CHECK(h.pool.counters().created == 1);
}

TEST_CASE("the same handoff across threads through the loop scheduler allocates nothing either") {
    constexpr int warmup = 100, measured = 3'000;
    pcm::test::LoopFixture fx;
    Handoff h;
    spawn(consume(h, warmup + measured));
    std::atomic<bool> warm{false};
    pcm::test::AllocCounts delta;
    std::thread producer([&] {
        produce(h, warmup);
        warm.store(true);
        pcm::test::AllocProbe probe;
        produce(h, measured - 1);
        delta = probe.delta();
        produce(h, 1);
    });
    fx.run_until([&] { return h.finished; });
    producer.join();
    CHECK(h.sum == warmup + measured);
    CHECK(delta.calls == 0);
    // Most resumptions were posted by the producer thread; some took the already-done path.
    CHECK(fx.scheduler.drained() > 0);
}
