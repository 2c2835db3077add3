// The loop-affine source and its loop-owned pool: the CompletionSource contract on one
// loop's thread, with a timeout on the loop's timer and stop requests relayed from any
// thread.
#include "alloc_counter.hpp"
#include "capture.hpp"
#include "loop_fixture.hpp"
#include "wait.hpp"

#include <pcm/async/errors.hpp>
#include <pcm/async/pooled_loop_source.hpp>
#include <pcm/async/task.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <stop_token>
#include <thread>

using namespace pcm::async;
using namespace std::chrono_literals;
using pcm::test::Capture;
using pcm::test::LoopFixture;
using pcm::test::wait_until;

namespace {
using Source = PooledLoopSource<int>;
using Pool = Source::Pool;

Task<void> consume(Pool& pool, int rounds, long& sum) {
    for (int i = 0; i < rounds; ++i) {
        Source* s = pool.rent();
        sum += co_await s->create_task();
    }
}
}  // namespace

TEST_CASE("loop source: create, complete, await, recycle, with versioned tokens") {
    LoopFixture f;
    LoopSource<int> source(f.scheduler);
    ValueTask<int> task = source.create_task();
    Token first = source.current_version();
    CHECK(source.is_pending());
    CHECK_THROWS_AS(source.create_task(), invalid_operation);
    CHECK(source.try_set_result(4));
    CHECK_FALSE(source.try_set_result(5));  // exactly one outcome
    CHECK(task.get() == 4);
    CHECK_THROWS_AS(source.result(first), invalid_operation);  // consumed
    source.reset();
    CHECK(source.current_version() == first + 1);
    CHECK_THROWS_AS((void)source.status(first), invalid_operation);  // stale
    ValueTask<int> next = source.create_task();
    CHECK_FALSE(source.try_set_result(first, 1));  // a late producer of the old task
    CHECK_THROWS_AS(source.try_set_exception(std::exception_ptr{}), std::invalid_argument);
    CHECK(source.try_set_exception(std::make_exception_ptr(std::runtime_error("x"))));
    CHECK(source.status(source.current_version()) == SourceStatus::faulted);
    CHECK_THROWS_AS(next.get(), std::runtime_error);
}

TEST_CASE("loop source: a coroutine resumes inline, or on the loop when asked for asynchronous continuations") {
    LoopFixture f;
    LoopSource<int> source(f.scheduler);
    Capture<int> inline_capture;
    ValueTask<int> t1 = source.create_task();
    pcm::test::start_awaiting(t1, inline_capture);
    source.try_set_result(1);
    CHECK(inline_capture.done.load());
    source.reset();

    source.set_run_continuations_asynchronously(true);
    Capture<int> posted;
    ValueTask<int> t2 = source.create_task();
    pcm::test::start_awaiting(t2, posted);
    source.try_set_result(2);
    CHECK_FALSE(posted.done.load());  // not inside the completing call
    f.run_until([&] { return posted.done.load(); });
    CHECK(*posted.value == 2);
}

TEST_CASE("loop source: a timeout fires through the loop's timer, once per task, re-armed") {
    LoopFixture f;
    LoopSource<int> source(f.scheduler);
    for (int round = 0; round < 3; ++round) {
        Capture<int> captured;
        ValueTask<int> task = source.create_task(1ms);
        pcm::test::start_awaiting(task, captured);
        f.run_until([&] { return captured.done.load(); }, "the timeout to complete the task");
        CHECK_THROWS_AS(pcm::test::rethrow(captured.error), timeout_error);
        source.reset();
    }
    // A task completed before its timeout is not touched by the timer later.
    Capture<int> captured;
    ValueTask<int> task = source.create_task(1ms);
    pcm::test::start_awaiting(task, captured);
    source.try_set_result(8);
    CHECK(*captured.value == 8);
    source.reset();
    ValueTask<int> idle = source.create_task();
    f.run_for(5ms);  // a stale timer would have completed `idle`
    CHECK(source.is_pending());
    source.try_set_result(0);
    CHECK(idle.get() == 0);
}

TEST_CASE("loop source: a stop requested on another thread cancels through the scheduler" *
          doctest::test_suite("concurrency")) {
    LoopFixture f;
    LoopSource<int> source(f.scheduler);
    for (int round = 0; round < 50; ++round) {
        std::stop_source stop;
        Capture<int> captured;
        ValueTask<int> task = source.create_task(0ms, stop.get_token());
        pcm::test::start_awaiting(task, captured);
        std::thread other([&] { stop.request_stop(); });
        wait_until([&] { return captured.done.load(); }, [&] { uv_run(f.loop.get(), UV_RUN_NOWAIT); },
                   "the relayed stop to cancel the task");
        other.join();
        CHECK(captured.resumed_on == std::this_thread::get_id());
        CHECK_THROWS_AS(pcm::test::rethrow(captured.error), canceled_error);
        source.reset();
    }
    // Already stopped: canceled at once.
    std::stop_source stopped;
    stopped.request_stop();
    ValueTask<int> task = source.create_task(0ms, stopped.get_token());
    CHECK_THROWS_AS(task.get(), canceled_error);
}

TEST_CASE("loop source: a stop racing a result has exactly one winner, and never reaches the next task") {
    LoopFixture f;
    LoopSource<int> source(f.scheduler);
    std::stop_source stop;
    ValueTask<int> task = source.create_task(0ms, stop.get_token());
    std::thread other([&] { stop.request_stop(); });
    other.join();  // the relay's post is queued, not yet run
    CHECK(source.try_set_result(1));
    CHECK(task.get() == 1);
    source.reset();
    ValueTask<int> next = source.create_task();
    uv_run(f.loop.get(), UV_RUN_NOWAIT);  // runs the old stop: it must not cancel `next`
    f.run_until([&] { return f.scheduler.drained() > 0; });
    CHECK(source.is_pending());
    source.try_set_result(2);
    CHECK(next.get() == 2);
}

TEST_CASE("loop pool: warm handoffs allocate nothing and the counters balance") {
    LoopFixture f;
    Pool pool(f.scheduler, 4);
    long sum = 0;
    {
        Source* s = pool.rent();
        ValueTask<int> t = s->create_task();
        s->try_set_result(1);
        sum += t.get();
    }
    pcm::test::AllocProbe probe;
    for (int i = 0; i < 1000; ++i) {
        Source* s = pool.rent();
        ValueTask<int> t = s->create_task();
        s->try_set_result(1);
        sum += t.get();
    }
    CHECK(probe.delta().calls == 0);
    CHECK(sum == 1001);
    PoolCounters c = pool.counters();
    CHECK(c.created == 1);
    CHECK(c.rented == c.returned);
}

TEST_CASE("loop pool: an abandoned task's source returns once completed; a destroyed pool resumes its awaiters") {
    LoopFixture f;
    FrameCounters before = frame_counters();
    Capture<int> captured;
    ValueTask<int> awaited;  // outlives the pool: the awaiting coroutine holds it by reference
    {
        Pool pool(f.scheduler, 4);
        Source* s = pool.rent();
        { ValueTask<int> dropped = s->create_task(); }
        CHECK(pool.outstanding() == 1);
        CHECK(s->try_set_result(3));
        CHECK(pool.outstanding() == 0);

        Source* t = pool.rent();
        ValueTask<int> done = t->create_task();
        t->try_set_result(3);
        done = ValueTask<int>();  // completed, then dropped
        CHECK(pool.outstanding() == 0);

        Source* w = pool.rent();
        awaited = w->create_task();
        pcm::test::start_awaiting(awaited, captured);
        CHECK_FALSE(captured.done.load());
    }  // the pool destroys w; its awaiter resumes with canceled_error
    CHECK(captured.done.load());
    CHECK_THROWS_AS(pcm::test::rethrow(captured.error), canceled_error);
    FrameCounters after = frame_counters();
    CHECK(after.allocated - before.allocated == after.freed - before.freed);
}

TEST_CASE("loop pool: coroutines awaiting in a loop reuse one source") {
    LoopFixture f;
    Pool pool(f.scheduler, 2);
    long sum = 0;
    Source* first = pool.rent();
    pool.give_back(first);
    spawn(consume(pool, 100, sum));
    for (int i = 0; i < 100; ++i) first->try_set_result(1);
    CHECK(sum == 100);
    CHECK(pool.counters().created == 1);
}
