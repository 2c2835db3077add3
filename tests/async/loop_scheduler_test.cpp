#include "capture.hpp"
#include "loop_fixture.hpp"

#include <pcm/async/completion_source.hpp>
#include <pcm/async/manual_reset_source.hpp>

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace pcm::async;
using pcm::test::Capture;
using pcm::test::LoopFixture;

TEST_CASE("a completion from another thread resumes the awaiter on its loop") {
    LoopFixture fx;
    ManualResetSource<int> source;
    ValueTask<int> task = source.task();
    Capture<int> out;
    ExecutionContext::current().request_id = 77;
    pcm::test::start_awaiting(task, out);
    ExecutionContext::current().request_id = 0;

    std::thread producer([&] { source.core().set_result(3); });
    producer.join();
    CHECK_FALSE(out.done);  // posted, not run on the producer thread
    fx.run_until([&] { return out.done.load(); });
    CHECK(out.value == 3);
    CHECK(out.resumed_on == std::this_thread::get_id());
    CHECK(out.request_id == 77);                         // flow_execution_context restored the context
    CHECK(ExecutionContext::current().request_id == 0);  // and only around the continuation
}

TEST_CASE("without flags the continuation runs on the completing thread, without the context") {
    LoopFixture fx;
    ManualResetSource<int> source;
    ValueTask<int> task = source.task();
    task.configure(CompletionFlags::none);
    Capture<int> out;
    ExecutionContext::current().request_id = 5;
    pcm::test::start_awaiting(task, out);
    ExecutionContext::current().request_id = 0;
    std::thread::id producer_id;
    std::thread producer([&] {
        producer_id = std::this_thread::get_id();
        source.core().set_result(1);
    });
    producer.join();
    CHECK(out.done);
    CHECK(out.resumed_on == producer_id);
    CHECK(out.request_id == 0);
}

TEST_CASE("run_continuations_asynchronously defers even a same-thread completion to the loop") {
    LoopFixture fx;
    ManualResetSource<int> source;
    source.core().run_continuations_asynchronously = true;
    ValueTask<int> task = source.task();
    Capture<int> out;
    pcm::test::start_awaiting(task, out);
    source.core().set_result(9);
    CHECK_FALSE(out.done);
    uv_run(fx.loop.get(), UV_RUN_NOWAIT);
    CHECK(out.done);
    CHECK(out.value == 9);
}

TEST_CASE("a burst of cross-thread completions shares wake-ups and loses none") {
    LoopFixture fx;
    constexpr int count = 2000;
    std::vector<ManualResetSource<int>> sources(count);
    std::vector<ValueTask<int>> tasks;
    std::vector<Capture<int>> outs(count);
    tasks.reserve(count);
    for (int i = 0; i < count; ++i) {
        tasks.push_back(sources[i].task());
        pcm::test::start_awaiting(tasks[i], outs[i]);
    }
    std::thread p1([&] {
        for (int i = 0; i < count; i += 2) sources[i].core().set_result(i);
    });
    std::thread p2([&] {
        for (int i = 1; i < count; i += 2) sources[i].core().set_result(i);
    });
    p1.join();
    p2.join();
    fx.run_until([&] { return fx.scheduler.drained() == count; });
    int right = 0;
    for (int i = 0; i < count; ++i) right += outs[i].done && outs[i].value == i;
    CHECK(right == count);
    CHECK(fx.scheduler.wakeups() < static_cast<std::uint64_t>(count));
    MESSAGE(count, " completions took ", fx.scheduler.wakeups(), " wake-ups");
}
