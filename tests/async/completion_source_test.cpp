#include "capture.hpp"
#include "loop_fixture.hpp"
#include "wait.hpp"

#include <pcm/async/completion_source.hpp>
#include <pcm/async/errors.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <random>
#include <stop_token>
#include <thread>
#include <vector>

using namespace pcm::async;
using namespace std::chrono_literals;
using pcm::test::Capture;
using pcm::test::LoopFixture;
using pcm::test::wait_until;

namespace {

// Counts the hooks and recycles itself once consumed, as a pooled source would.
class CountingSource : public CompletionSource<int> {
public:
    using CompletionSource::CompletionSource;
    std::atomic<int> consumed{0};
    std::atomic<int> timeouts{0};
    std::atomic<int> cancels{0};
    bool recycle = true;

protected:
    void after_consumed() noexcept override {
        consumed.fetch_add(1);
        if (recycle) reset();
    }
    Outcome<int> on_timeout() override {
        timeouts.fetch_add(1);
        return CompletionSource::on_timeout();
    }
    Outcome<int> on_canceled() override {
        cancels.fetch_add(1);
        return CompletionSource::on_canceled();
    }
};

class SubstitutingSource final : public CompletionSource<int> {
public:
    using CompletionSource::CompletionSource;

protected:
    Outcome<int> on_timeout() override { return -1; }
    Outcome<int> on_canceled() override { return -2; }
};

}  // namespace

TEST_CASE("create_task, complete, await, reset: the .NEXT life cycle") {
    CountingSource source;
    source.recycle = false;
    ValueTask<int> task = source.create_task();
    CHECK(source.is_pending());
    CHECK_THROWS_AS((void)source.create_task(), invalid_operation);  // one task at a time

    Capture<int> out;
    pcm::test::start_awaiting(task, out);
    CHECK_FALSE(out.done);
    CHECK(source.try_set_result(5));
    CHECK_FALSE(source.try_set_result(6));
    CHECK(out.value == 5);
    CHECK(source.consumed == 1);

    CHECK_THROWS_AS((void)source.create_task(), invalid_operation);  // consumed but not reset
    source.reset();
    ValueTask<int> next = source.create_task();
    CHECK(source.try_set_result(8));
    CHECK(next.get() == 8);
    CHECK(source.consumed == 2);
}

TEST_CASE("a second await is caught by the consumed state even before any reset") {
    CountingSource source;
    source.recycle = false;
    Token token = source.current_version();
    ValueTask<int> task = source.create_task();
    ValueTask<int> again(source, token);  // a second awaiter of the same operation
    source.try_set_result(1);
    CHECK(task.get() == 1);
    CHECK_THROWS_AS(again.get(), invalid_operation);
    CHECK(source.consumed == 1);

    source.reset();
    ValueTask<int> after_reset(source, token);
    CHECK_THROWS_AS(after_reset.get(), invalid_operation);
}

TEST_CASE("timeout and cancellation default to their errors and statuses") {
    LoopFixture fx;
    CountingSource source(fx.scheduler);
    source.recycle = false;

    ValueTask<int> timed = source.create_task(2ms);
    Capture<int> out;
    pcm::test::start_awaiting(timed, out);
    fx.run_until([&] { return out.done.load(); });
    CHECK_THROWS_AS(pcm::test::rethrow(out.error), timeout_error);
    CHECK(source.timeouts == 1);

    source.reset();
    std::stop_source stop;
    ValueTask<int> cancelable = source.create_task(0ms, stop.get_token());
    Token token = source.current_version();
    stop.request_stop();
    CHECK(source.status(token) == SourceStatus::canceled);
    CHECK_THROWS_AS(cancelable.get(), canceled_error);

    source.reset();
    ValueTask<int> already = source.create_task(0ms, stop.get_token());  // stop requested before
    CHECK(already.is_completed());
    CHECK_THROWS_AS(already.get(), canceled_error);
    CHECK(source.cancels == 2);
}

TEST_CASE("on_timeout and on_canceled can substitute a result") {
    LoopFixture fx;
    SubstitutingSource source(fx.scheduler);
    ValueTask<int> timed = source.create_task(1ms);
    fx.run_until([&] { return timed.is_completed(); });
    CHECK(timed.get() == -1);

    source.reset();
    ValueTask<int> canceled = source.create_task();
    CHECK(source.try_set_canceled());
    CHECK(canceled.get() == -2);
}

TEST_CASE("a timeout needs the loop thread, and reset refuses a pending task") {
    LoopFixture fx;
    CountingSource source(fx.scheduler);
    std::thread other([&] { CHECK_THROWS_AS((void)source.create_task(5ms), invalid_operation); });
    other.join();
    CompletionSource<int> loopless;
    CHECK_THROWS_AS((void)loopless.create_task(5ms), invalid_operation);

    ValueTask<int> task = source.create_task();
    CHECK_THROWS_AS(source.reset(), invalid_operation);
    source.try_set_result(0);
    CHECK(task.get() == 0);
}

TEST_CASE("exactly one of result, exception, cancel and timeout wins under any interleaving") {
    LoopFixture fx;
    CountingSource source(fx.scheduler);
    constexpr int rounds = 400;
    pcm::test::Rendezvous sync(4);
    std::atomic<int> result_wins{0}, error_wins{0}, cancel_calls_won{0};
    std::stop_source stops[rounds];
    ValueTask<int> tasks[rounds];

    auto contender = [&](int which, unsigned seed) {
        std::minstd_rand rng(seed);
        for (int round = 0; round < rounds; ++round) {
            sync.arrive_and_wait();  // the round's task exists
            std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2500));
            switch (which) {
                case 0: result_wins += source.try_set_result(round); break;
                case 1: error_wins += source.try_set_exception(std::make_exception_ptr(std::runtime_error("e"))); break;
                default:
                    stops[round].request_stop();
                    cancel_calls_won += source.try_set_canceled();
                    break;
            }
            sync.arrive_and_wait();  // everyone has tried
        }
    };
    std::thread a(contender, 0, 1u), b(contender, 1, 2u), c(contender, 2, 3u);
    int consumed_rounds = 0;
    std::vector<Capture<int>> outs(rounds);
    for (int round = 0; round < rounds; ++round) {
        uv_update_time(fx.loop.get());
        tasks[round] = source.create_task(2ms, stops[round].get_token());
        // Awaited, not polled: a completion on a contender's thread then wakes the loop, as
        // it does for the daemon's awaiters. (A loop polling is_completed() can go to sleep
        // just before a contender publishes its result, with nothing left to wake it.)
        pcm::test::start_awaiting(tasks[round], outs[round]);
        sync.arrive_and_wait();
        fx.run_until([&] { return outs[round].done.load(); }, "the round's winner");
        sync.arrive_and_wait();
        if (outs[round].value) CHECK(*outs[round].value == round);
        else CHECK(outs[round].error != nullptr);  // the exception, cancel or timeout won this round
        ++consumed_rounds;
    }
    a.join();
    b.join();
    c.join();
    int wins = result_wins + error_wins + source.cancels + source.timeouts;
    CHECK(wins == rounds);
    CHECK(source.consumed == consumed_rounds);
    CHECK(cancel_calls_won <= source.cancels);
    MESSAGE("result ", result_wins.load(), ", exception ", error_wins.load(), ", cancel ", source.cancels.load(),
            ", timeout ", source.timeouts.load());
}

TEST_CASE("a late timeout or stop request never completes the next task of a recycled source") {
    LoopFixture fx;
    CountingSource source(fx.scheduler);

    // Late timer: the task is completed and consumed on another thread, so the loop never
    // gets to stop the timer; it fires into the next task's lifetime and must do nothing.
    ValueTask<int> first = source.create_task(2ms);
    std::thread consumer([&] {
        source.try_set_result(1);
        CHECK(first.get() == 1);  // after_consumed resets the source
    });
    consumer.join();
    ValueTask<int> second = source.create_task();
    fx.run_for(15ms);
    CHECK_FALSE(second.is_completed());
    CHECK(source.timeouts == 0);
    source.try_set_result(2);
    CHECK(second.get() == 2);

    // Late stop requests, from another thread, for tasks already consumed and recycled: each
    // round's task is pending while the stop of the round before it is requested.
    constexpr int rounds = 3000;
    std::vector<std::stop_source> stops(rounds);
    std::atomic<int> published{-1};
    std::atomic<int> stopped_before{0};  // every round below this one had its stop requested
    std::thread stopper([&] {
        for (int round = 1; round < rounds; ++round) {
            wait_until([&] { return published.load(std::memory_order_acquire) >= round; }, "the next round");
            stops[round - 1].request_stop();  // that round is over
            stopped_before.store(round, std::memory_order_release);
        }
    });
    int intact = 0;
    for (int round = 0; round < rounds; ++round) {
        ValueTask<int> task = source.create_task(0ms, stops[round].get_token());
        published.store(round, std::memory_order_release);
        wait_until([&] { return stopped_before.load(std::memory_order_acquire) >= round; }, "the late stop");
        intact += source.try_set_result(round) && task.get() == round;
    }
    stopper.join();
    CHECK(intact == rounds);
    CHECK(source.cancels == 0);
}
