#include "capture.hpp"
#include "wait.hpp"

#include <pcm/async/errors.hpp>
#include <pcm/async/manual_reset_source.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace pcm::async;
using pcm::test::Capture;

TEST_CASE("a token from before reset() is rejected by every member") {
    ManualResetSource<int> source;
    Token old = source.core().version();
    source.core().set_result(1);
    CHECK(source.core().result(old) == 1);
    source.core().reset();
    CHECK(source.core().version() == old + 1);
    CHECK_THROWS_AS(source.core().status(old), invalid_operation);
    CHECK_THROWS_AS(source.core().result(old), invalid_operation);
    CHECK_THROWS_AS(source.core().on_completed([](void*) {}, nullptr, old, CompletionFlags::none), invalid_operation);
}

TEST_CASE("awaiting again after the source was reset and reused is detected") {
    ManualResetSource<int> source;
    ValueTask<int> first = source.task();
    source.core().set_result(1);
    CHECK(first.get() == 1);
    source.core().reset();
    source.core().set_result(2);  // the next operation, owned by someone else
    ValueTask<int> stale(source, source.core().version() - 1);
    CHECK_THROWS_AS(stale.get(), invalid_operation);
}

TEST_CASE("a stale token stays stale after 65,536 resets, where a 16-bit token wraps") {
    ManualResetSource<int> source;
    Token stale = source.core().version();
    for (int i = 0; i < 65'536; ++i) source.core().reset();
    CHECK(static_cast<std::uint16_t>(source.core().version()) == static_cast<std::uint16_t>(stale));
    CHECK_THROWS_AS(source.core().status(stale), invalid_operation);
}

TEST_CASE("result() before completion throws instead of blocking") {
    ManualResetSource<int> source;
    CHECK(source.core().status(source.core().version()) == SourceStatus::pending);
    CHECK_THROWS_AS(source.core().result(source.core().version()), invalid_operation);
}

TEST_CASE("a second completion is refused and changes nothing") {
    ManualResetSource<int> source;
    CHECK(source.core().set_result(1));
    CHECK_FALSE(source.core().set_result(2));
    CHECK_FALSE(source.core().set_exception(std::make_exception_ptr(std::runtime_error("late"))));
    CHECK(source.core().result(source.core().version()) == 1);
}

TEST_CASE("status tells faulted from canceled") {
    ManualResetSource<int> source;
    source.core().set_exception(std::make_exception_ptr(std::runtime_error("x")));
    CHECK(source.core().status(source.core().version()) == SourceStatus::faulted);
    source.core().reset();
    source.core().set_exception(std::make_exception_ptr(canceled_error()));
    CHECK(source.core().status(source.core().version()) == SourceStatus::canceled);
    source.core().reset();
    source.core().set_result(3);
    CHECK(source.core().status(source.core().version()) == SourceStatus::succeeded);
}

TEST_CASE("a second continuation for one operation is refused") {
    ManualResetSource<int> source;
    Token token = source.core().version();
    source.core().on_completed([](void*) {}, nullptr, token, CompletionFlags::none);
    CHECK_THROWS_AS(source.core().on_completed([](void*) {}, nullptr, token, CompletionFlags::none), invalid_operation);
}

TEST_CASE("completion racing registration runs every continuation exactly once") {
    // The producer thread completes while this thread asks status and registers. Whichever
    // side loses the compare-exchange must run the continuation; neither may run it twice.
    constexpr int iterations = 30'000;
    ManualResetSource<int> source;
    std::atomic<int> go{-1};
    std::atomic<int> produced{-1};
    std::atomic<int> runs{0};
    std::thread producer([&] {
        for (int i = 0; i < iterations; ++i) {
            pcm::test::wait_until([&] { return go.load(std::memory_order_acquire) == i; }, "the consumer's next round");
            source.core().set_result(i);
            produced.store(i, std::memory_order_release);
        }
    });
    auto count_run = [](void* counter) { static_cast<std::atomic<int>*>(counter)->fetch_add(1); };
    int sum_ok = 0;
    for (int i = 0; i < iterations; ++i) {
        Token token = source.core().version();
        go.store(i, std::memory_order_release);
        if (source.core().status(token) == SourceStatus::pending)
            source.core().on_completed(count_run, &runs, token, CompletionFlags::none);
        else runs.fetch_add(1);
        pcm::test::wait_until([&] { return produced.load(std::memory_order_acquire) == i && runs.load() >= i + 1; },
                              "the producer's result and its continuation");
        sum_ok += source.core().result(token) == i;
        source.core().reset();
    }
    producer.join();
    CHECK(runs.load() == iterations);
    CHECK(sum_ok == iterations);
}
