#include "capture.hpp"

#include <pcm/async/manual_reset_source.hpp>
#include <pcm/async/task.hpp>

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using namespace pcm::async;

namespace {
Task<int> twice(ValueTask<int>& input) { co_return 2 * co_await input; }
Task<std::string> describe(ValueTask<int>& input) {
    int doubled = co_await twice(input);
    co_return "got " + std::to_string(doubled);
}
Task<void> fail() {
    throw std::runtime_error("inner failure");
    co_return;
}
Task<void> catch_inner(std::string& seen) {
    try {
        co_await fail();
    } catch (const std::exception& e) {
        seen = e.what();
    }
}
Task<void> store(std::string& out, ValueTask<int>& input) { out = co_await describe(input); }
}  // namespace

TEST_CASE("tasks chain values and suspend through to a pending source") {
    ManualResetSource<int> source;
    ValueTask<int> input = source.task();
    std::string out;
    FrameCounters before = frame_counters();
    spawn(store(out, input));
    CHECK(out.empty());
    source.core().set_result(21);
    CHECK(out == "got 42");
    FrameCounters after = frame_counters();
    CHECK(after.allocated - before.allocated == 4);  // store, describe, twice, detached runner
    CHECK(after.freed - before.freed == 4);
}

TEST_CASE("an exception inside an awaited task reaches its awaiter") {
    std::string seen;
    spawn(catch_inner(seen));
    CHECK(seen == "inner failure");
}

TEST_CASE("an exception escaping a spawned task goes to the handler, not further") {
    static std::string reported;
    set_unhandled_handler([](std::exception_ptr e) { reported = pcm::test::message_of(e); });
    spawn(fail());
    set_unhandled_handler(nullptr);
    CHECK(reported == "inner failure");
}
