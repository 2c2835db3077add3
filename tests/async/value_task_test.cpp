#include "capture.hpp"

#include <pcm/async/errors.hpp>
#include <pcm/async/manual_reset_source.hpp>
#include <pcm/async/manual_reset_source_core.hpp>
#include <pcm/async/value_task.hpp>

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using namespace pcm::async;
using pcm::test::Capture;

namespace {

// Records every call the awaiter makes, to check the two call paths of the contract.
class TracingSource final : public ValueTaskSource<int> {
public:
    std::vector<std::string> calls;
    ManualResetSourceCore<int> core;

    SourceStatus status(Token token) const override {
        const_cast<TracingSource*>(this)->calls.push_back("status");
        return core.status(token);
    }
    void on_completed(Continuation c, void* state, Token token, CompletionFlags flags) override {
        calls.push_back("on_completed");
        core.on_completed(c, state, token, flags);
    }
    int result(Token token) override {
        calls.push_back("result");
        return core.result(token);
    }
};

}  // namespace

TEST_CASE("pending path: status, on_completed, then result") {
    TracingSource source;
    ValueTask<int> task(source, source.core.version());
    Capture<int> out;
    pcm::test::start_awaiting(task, out);
    CHECK(source.calls == std::vector<std::string>{"status", "on_completed"});
    CHECK_FALSE(out.done);

    source.core.set_result(42);
    CHECK(out.done);
    CHECK(out.value == 42);
    CHECK(source.calls == std::vector<std::string>{"status", "on_completed", "result"});
}

TEST_CASE("already-done path: status, then result, no registration") {
    TracingSource source;
    source.core.set_result(7);
    ValueTask<int> task(source, source.core.version());
    Capture<int> out;
    pcm::test::start_awaiting(task, out);
    CHECK(out.value == 7);
    CHECK(source.calls == std::vector<std::string>{"status", "result"});
}

TEST_CASE("a ready ValueTask never touches a source") {
    ValueTask<std::string> task(std::string("ready"));
    CHECK(task.is_completed());
    CHECK(task.get() == "ready");
    CHECK_FALSE(task.valid());

    auto failed = ValueTask<int>::from_exception(std::make_exception_ptr(std::runtime_error("boom")));
    CHECK_THROWS_WITH_AS(failed.get(), "boom", std::runtime_error);

    auto done = ValueTask<void>::completed();
    CHECK_NOTHROW(done.get());
}

TEST_CASE("awaiting a consumed or moved-from task is a detected error") {
    ManualResetSource<int> source;
    source.core().set_result(1);

    ValueTask<int> task = source.task();
    ValueTask<int> moved = std::move(task);
    Capture<int> from_moved;
    pcm::test::start_awaiting(task, from_moved);
    CHECK_THROWS_AS(pcm::test::rethrow(from_moved.error), invalid_operation);

    Capture<int> first, second;
    pcm::test::start_awaiting(moved, first);
    CHECK(first.value == 1);
    pcm::test::start_awaiting(moved, second);
    REQUIRE(second.error);
    CHECK_THROWS_AS(pcm::test::rethrow(second.error), invalid_operation);
}

TEST_CASE("an exception set by the producer comes out of co_await") {
    ManualResetSource<void> source;
    ValueTask<void> task = source.task();
    Capture<void> out;
    pcm::test::start_awaiting(task, out);
    source.core().set_exception(std::make_exception_ptr(std::out_of_range("disk vanished")));
    REQUIRE(out.done);
    CHECK_FALSE(out.value);
    CHECK(pcm::test::message_of(out.error) == "disk vanished");
    CHECK_THROWS_AS(pcm::test::rethrow(out.error), std::out_of_range);
}
