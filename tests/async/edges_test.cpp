// Regression tests for the async core at its edges: lifetimes, shutdown and misuse
// (issue 13). Each would fail on the code before the fix, most of them only under a
// sanitizer (the comment says which).
#include "capture.hpp"
#include "wait.hpp"

#include <pcm/async/completion_source.hpp>
#include <pcm/async/errors.hpp>
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/manual_reset_source.hpp>
#include <pcm/async/pooled_completion_source.hpp>
#include <pcm/async/task.hpp>
#include <pcm/uv/loop.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>

using namespace pcm::async;
using pcm::test::Capture;
using pcm::test::wait_until;

namespace {

std::atomic<int> refused_reports{0};
void count_refusals(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const scheduler_closed&) {
        refused_reports.fetch_add(1);
    } catch (...) {}
}

struct HandlerScope {
    explicit HandlerScope(UnhandledHandler h) { set_unhandled_handler(h); }
    ~HandlerScope() { set_unhandled_handler(nullptr); }
};

}  // namespace

TEST_CASE("schedulers destroyed in creation order leave no dangling current scheduler") {
    // Before: the thread's current scheduler was restored to the one already destroyed
    // (ASan: heap-use-after-free once a completion went through it).
    pcm::uv::Loop loop_a, loop_b;
    auto a = std::make_unique<LoopScheduler>(loop_a.get());
    auto b = std::make_unique<LoopScheduler>(loop_b.get());
    CHECK(LoopScheduler::current() == b.get());
    a.reset();  // not LIFO
    CHECK(LoopScheduler::current() == b.get());
    b.reset();
    CHECK(LoopScheduler::current() == nullptr);

    // And the middle of three.
    auto x = std::make_unique<LoopScheduler>(loop_a.get());
    auto y = std::make_unique<LoopScheduler>(loop_b.get());
    pcm::uv::Loop loop_c;
    auto z = std::make_unique<LoopScheduler>(loop_c.get());
    y.reset();
    CHECK(LoopScheduler::current() == z.get());
    z.reset();
    CHECK(LoopScheduler::current() == x.get());
    x.reset();
    CHECK(LoopScheduler::current() == nullptr);
    uv_run(loop_a.get(), UV_RUN_NOWAIT);
    uv_run(loop_b.get(), UV_RUN_NOWAIT);
    uv_run(loop_c.get(), UV_RUN_NOWAIT);
}

TEST_CASE("work posted while the scheduler's destructor drains still runs") {
    // Before: the second awaiter (asynchronous continuations) was never resumed.
    pcm::uv::Loop loop;
    ManualResetSource<int> second;
    second.core().run_continuations_asynchronously = true;
    Capture<int> captured;
    {
        auto scheduler = std::make_unique<LoopScheduler>(loop.get());
        ValueTask<int> task = second.task();
        pcm::test::start_awaiting(task, captured);
        ScheduledWork completes_second;
        completes_second.continuation = [](void* s) { static_cast<ManualResetSource<int>*>(s)->core().set_result(7); };
        completes_second.state = &second;
        CHECK(scheduler->post(completes_second));
        scheduler.reset();  // drains: runs completes_second, which posts the awaiter
    }
    CHECK(captured.done.load());
    REQUIRE(captured.value.has_value());
    CHECK(*captured.value == 7);
    uv_run(loop.get(), UV_RUN_NOWAIT);
}

TEST_CASE("a completion after the scheduler is gone is refused, not a use of freed memory") {
    // Before: ASan heap-use-after-free in the worker's completion.
    HandlerScope handler(&count_refusals);
    refused_reports = 0;
    pcm::uv::Loop loop;
    ManualResetSource<int> source;
    std::atomic<int> resumed{0};
    {
        LoopScheduler scheduler(loop.get());
        source.on_completed([](void* r) { static_cast<std::atomic<int>*>(r)->fetch_add(1); }, &resumed,
                            source.core().version(), CompletionFlags::use_scheduling_context);
    }
    uv_run(loop.get(), UV_RUN_NOWAIT);
    std::thread worker([&] { source.core().set_result(1); });
    worker.join();
    CHECK(resumed.load() == 0);
    CHECK(refused_reports.load() == 1);
    CHECK(source.status(source.core().version()) == SourceStatus::succeeded);
}

TEST_CASE("a null exception is refused with invalid_argument and changes nothing") {
    // Before: the core rethrew the null exception_ptr (undefined behaviour, a crash).
    CompletionSource<int> source;
    ValueTask<int> task = source.create_task();
    CHECK_THROWS_AS(source.try_set_exception(std::exception_ptr{}), std::invalid_argument);
    CHECK(source.is_pending());
    CHECK(source.try_set_result(3));
    CHECK(task.get() == 3);

    ManualResetSource<int> plain;
    CHECK_THROWS_AS(plain.core().set_exception(std::exception_ptr{}), std::invalid_argument);
    CHECK(plain.status(plain.core().version()) == SourceStatus::pending);
}

TEST_CASE("asynchronous continuations never run inline, even where the awaiter has no loop") {
    // Before: with no loop on the awaiting thread the continuation ran inside set_result.
    REQUIRE(LoopScheduler::current() == nullptr);
    ManualResetSource<int> source;
    source.core().run_continuations_asynchronously = true;
    struct Probe {
        std::atomic<bool> in_set_result{false};
        std::atomic<bool> ran_inline{false};
        std::atomic<bool> ran{false};
    } probe;
    source.on_completed(
        [](void* p) {
            auto* probe = static_cast<Probe*>(p);
            probe->ran_inline = probe->in_set_result.load();
            probe->ran = true;
        },
        &probe, source.core().version(), CompletionFlags::use_scheduling_context);
    probe.in_set_result = true;
    source.core().set_result(1);
    probe.in_set_result = false;
    wait_until([&] { return probe.ran.load(); }, "the continuation to run on the fallback thread");
    CHECK_FALSE(probe.ran_inline.load());
}

TEST_CASE("a second task on the same token polled from another thread is no data race") {
    // Before: ThreadSanitizer reported status() reading fields that the recycle rewrites.
    using Source = PooledCompletionSource<int>;
    Source::Pool pool(1);
    Source* source = pool.rent().release();
    source->pool = &pool;
    pool.give_back(source);  // the loop below rents it again, each time
    std::atomic<Token> token{source->current_version()};
    std::atomic<bool> stop{false};
    std::atomic<long> answers{0};
    std::thread poller([&] {
        while (!stop.load(std::memory_order_acquire)) {
            try {
                (void)source->status(token.load(std::memory_order_acquire));
                answers.fetch_add(1, std::memory_order_relaxed);
            } catch (const invalid_operation&) {
                answers.fetch_add(1, std::memory_order_relaxed);
            }
        }
    });
    for (int i = 0; i < 20000; ++i) {
        Source* s = pool.rent().release();
        REQUIRE(s == source);
        ValueTask<int> task = s->create_task();
        token.store(s->current_version(), std::memory_order_release);
        s->try_set_result(i);
        CHECK(task.get() == i);  // consumes; the source resets and goes back to the pool
    }
    wait_until([&] { return answers.load() > 0; }, "the poller to answer at least once");
    stop = true;
    poller.join();
}

TEST_CASE("a pooled source whose task is dropped un-awaited goes back to its pool") {
    // Before: it never returned (LeakSanitizer: one source per abandoned task).
    using Source = PooledCompletionSource<int>;
    Source::Pool pool(4);
    SUBCASE("dropped while pending, completed later") {
        Source* s = pool.rent().release();
        s->pool = &pool;
        { ValueTask<int> dropped = s->create_task(); }
        CHECK(pool.counters().rented - pool.counters().returned == 1);
        CHECK(s->try_set_result(5));
        CHECK(pool.counters().rented == pool.counters().returned);
    }
    SUBCASE("completed, then dropped") {
        Source* s = pool.rent().release();
        s->pool = &pool;
        ValueTask<int> task = s->create_task();
        CHECK(s->try_set_result(5));
        task = ValueTask<int>();  // assigning over it abandons it too
        CHECK(pool.counters().rented == pool.counters().returned);
    }
    SUBCASE("the recycled source serves the next task") {
        Source* s = pool.rent().release();
        s->pool = &pool;
        { ValueTask<int> dropped = s->create_task(); }
        s->try_set_canceled();
        Source* again = pool.rent().release();
        CHECK(again == s);
        again->pool = &pool;
        ValueTask<int> task = again->create_task();
        again->try_set_result(9);
        CHECK(task.get() == 9);
    }
}

TEST_CASE("destroying a source its coroutine awaits resumes it with canceled_error and frees the frame") {
    // Before: the coroutine was never resumed nor freed (LeakSanitizer: its frame).
    FrameCounters before = frame_counters();
    auto source = std::make_unique<CompletionSource<int>>();
    Capture<int> captured;
    {
        ValueTask<int> task = source->create_task();
        pcm::test::start_awaiting(task, captured);
        CHECK_FALSE(captured.done.load());
        source.reset();
    }
    CHECK(captured.done.load());
    CHECK_THROWS_AS(pcm::test::rethrow(captured.error), canceled_error);
    FrameCounters after = frame_counters();
    CHECK(after.allocated - before.allocated == after.freed - before.freed);
}

TEST_CASE("tokens are 64 bits wide: a token 2^32 versions away is stale") {
    // Before: Token was 32 bits, and after 2^32 resets a stale task validated again.
    static_assert(sizeof(Token) == 8);
    ManualResetSource<int> source;
    Token now = source.core().version();
    CHECK_THROWS_AS((void)source.status(now + (Token{1} << 32)), invalid_operation);
    CompletionSource<int> pooled;
    ValueTask<int> task = pooled.create_task();
    CHECK_THROWS_AS((void)pooled.status(pooled.current_version() + (Token{1} << 32)), invalid_operation);
    pooled.try_set_result(1);
    CHECK(task.get() == 1);
}
