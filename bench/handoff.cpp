// Cost of handing one value from a producer to an awaiting coroutine, per operation:
// the floors, the Task-style one-shot state, and the reusable and pooled sources.
// Same thread, and across threads (producer thread -> coroutine on a libuv loop).
#include "harness.hpp"

#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/manual_reset_source.hpp>
#include <pcm/async/object_pool.hpp>
#include <pcm/async/pooled_completion_source.hpp>
#include <pcm/async/pooled_loop_source.hpp>
#include <pcm/async/task.hpp>
#include <pcm/uv/handle.hpp>
#include <pcm/uv/loop.hpp>

#include <atomic>
#include <cstdio>
#include <future>
#include <memory>
#include <thread>

using namespace pcm::async;
namespace bench = pcm::bench;

namespace {

// ---- stages: how each variant starts an operation and completes it -------------------

// The Task-style baseline: a fresh heap-allocated state for every operation.
struct OneShotStage {
    std::shared_ptr<ManualResetSource<int>> current;
    ValueTask<int> begin() {
        current = std::make_shared<ManualResetSource<int>>();
        return current->task();
    }
    void complete() {
        auto keep = current;  // the awaiter's resumption replaces `current`
        keep->core().set_result(1);
    }
};

// One source, reset between operations.
struct CoreStage {
    ManualResetSource<int> source;
    ValueTask<int> begin() {
        source.core().reset();
        return source.task();
    }
    void complete() { source.core().set_result(1); }
};

using PooledSource = PooledCompletionSource<int>;
using SourcePool = PooledSource::Pool;

// A source rented per operation; it returns itself to the pool once its result is taken.
struct PooledStage {
    SourcePool pool{16};
    PooledSource* current = nullptr;
    ValueTask<int> begin() {
        current = pool.rent().release();
        current->pool = &pool;
        return current->create_task();
    }
    void complete() { current->try_set_result(1); }
};

// A loop-affine source rented from its loop's pool: created, completed and awaited on the
// loop's thread, as every WAIT in the daemon is. No atomic read-modify-write on the path.
struct LoopPooledStage {
    using Source = PooledLoopSource<int>;
    pcm::uv::Loop loop;
    LoopScheduler scheduler{loop.get()};
    Source::Pool pool{scheduler, 16};
    Source* current = nullptr;
    ValueTask<int> begin() {
        current = pool.rent();
        return current->create_task();
    }
    void complete() { current->try_set_result(1); }
};

// ---- same thread ----------------------------------------------------------------------

struct Parked {
    std::coroutine_handle<>* slot;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const noexcept { *slot = h; }
    void await_resume() const noexcept {}
};

Task<void> resume_forever(std::coroutine_handle<>& slot, std::uint64_t& count) {
    for (;;) {
        co_await Parked{&slot};
        ++count;
    }
}

void bare_resume(std::uint64_t ops) {
    std::coroutine_handle<> slot;
    std::uint64_t count = 0;
    Task<void> task = resume_forever(slot, count);
    spawn([](Task<void>& t) -> Task<void> { co_await t; }(task));
    for (std::uint64_t i = 0; i < ops; ++i) slot.resume();
    // The parked coroutine never finishes; its frame goes with `task`'s destruction.
}

// What one uncontended locked read-modify-write costs here: the unit the thread-safe
// paths below are made of (each pooled handoff needs several).
void locked_increment(std::uint64_t ops) {
    static std::atomic<std::uint64_t> counter{0};
    for (std::uint64_t i = 0; i < ops; ++i) counter.fetch_add(1, std::memory_order_relaxed);
}

void promise_future_same_thread(std::uint64_t ops) {
    long sum = 0;
    for (std::uint64_t i = 0; i < ops; ++i) {
        std::promise<int> p;
        std::future<int> f = p.get_future();
        p.set_value(1);
        sum += f.get();
    }
    if (sum != static_cast<long>(ops)) std::abort();
}

template <class Stage>
Task<void> consume(Stage& stage, std::uint64_t ops, long& sum) {
    for (std::uint64_t i = 0; i < ops; ++i) sum += co_await stage.begin();
}

template <class Stage>
void same_thread(std::uint64_t ops) {
    Stage stage;
    long sum = 0;
    spawn(consume(stage, ops, sum));
    for (std::uint64_t i = 0; i < ops; ++i) stage.complete();
    if (sum != static_cast<long>(ops)) std::abort();
}

// ---- across threads ---------------------------------------------------------------------

void raw_async_send(std::uint64_t ops) {
    pcm::uv::Loop loop;
    std::atomic<bool> ack{false};
    std::uint64_t received = 0;
    struct Ctx {
        std::atomic<bool>* ack;
        std::uint64_t* received;
    } ctx{&ack, &received};
    {
        pcm::uv::Handle<uv_async_t> async(uv_async_init, loop.get(), [](uv_async_t* h) {
            auto* c = static_cast<Ctx*>(h->data);
            ++*c->received;
            c->ack->store(true, std::memory_order_release);
        });
        async.get()->data = &ctx;
        std::thread producer([&] {
            for (std::uint64_t i = 0; i < ops; ++i) {
                uv_async_send(async.get());
                while (!ack.exchange(false, std::memory_order_acquire)) std::this_thread::yield();
            }
        });
        while (received < ops) uv_run(loop.get(), UV_RUN_ONCE);
        producer.join();
    }
}

void promise_future_cross_thread(std::uint64_t ops) {
    std::atomic<std::promise<int>*> handed{nullptr};
    std::thread producer([&] {
        for (std::uint64_t i = 0; i < ops; ++i) {
            std::promise<int>* p;
            while ((p = handed.exchange(nullptr, std::memory_order_acquire)) == nullptr) std::this_thread::yield();
            p->set_value(1);
        }
    });
    long sum = 0;
    for (std::uint64_t i = 0; i < ops; ++i) {
        std::promise<int> p;
        std::future<int> f = p.get_future();
        handed.store(&p, std::memory_order_release);
        sum += f.get();
    }
    producer.join();
    if (sum != static_cast<long>(ops)) std::abort();
}

template <class Stage>
Task<void> consume_on_loop(Stage& stage, std::uint64_t ops, std::atomic<bool>& armed, long& sum) {
    for (std::uint64_t i = 0; i < ops; ++i) {
        ValueTask<int> task = stage.begin();
        armed.store(true, std::memory_order_release);
        sum += co_await task;
    }
}

template <class Stage>
void cross_thread(std::uint64_t ops) {
    pcm::uv::Loop loop;
    {
        LoopScheduler scheduler(loop.get());
        Stage stage;
        std::atomic<bool> armed{false};
        long sum = 0;
        spawn(consume_on_loop(stage, ops, armed, sum));
        std::thread producer([&] {
            for (std::uint64_t i = 0; i < ops; ++i) {
                while (!armed.exchange(false, std::memory_order_acquire)) std::this_thread::yield();
                stage.complete();
            }
        });
        while (sum < static_cast<long>(ops)) uv_run(loop.get(), UV_RUN_ONCE);
        producer.join();
    }
}

std::string ratio(double value, double floor, const char* what) {
    char text[64];
    std::snprintf(text, sizeof text, "%.2fx %s", value / floor, what);
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    bench::Options options = bench::parse_options(argc, argv, "[--json] [--repetitions N] [--scale X]");
    std::vector<bench::Row> rows;
    const std::uint64_t fast = 2'000'000, slow = 200'000, wake = 20'000;

    bench::Row floor = bench::measure(options, "same-thread", "bare coroutine resume (floor)", fast, bare_resume);
    rows.push_back(floor);
    rows.push_back(
        bench::measure(options, "same-thread", "one locked atomic increment (reference)", fast * 5, locked_increment));
    rows.push_back(
        bench::measure(options, "same-thread", "std::promise/std::future", slow, promise_future_same_thread));
    rows.push_back(bench::measure(options, "same-thread", "one-shot heap state per op (Task-style)", slow,
                                  same_thread<OneShotStage>));
    rows.push_back(
        bench::measure(options, "same-thread", "ManualResetSourceCore reused", fast, same_thread<CoreStage>));
    rows.push_back(bench::measure(options, "same-thread", "CompletionSource rented from ObjectPool", fast,
                                  same_thread<PooledStage>));
    rows.push_back(bench::measure(options, "same-thread", "loop-affine source rented from LoopPool", fast,
                                  same_thread<LoopPooledStage>));
    const std::size_t promise_row = 2, one_shot_row = 3, core_row = 4, pooled_row = 5, loop_row = 6;
    for (std::size_t i = 1; i < rows.size(); ++i) rows[i].note = ratio(rows[i].ns_per_op, floor.ns_per_op, "floor");

    std::size_t first_cross = rows.size();
    bench::Row wake_floor =
        bench::measure(options, "cross-thread", "raw uv_async_send wake-up (floor)", wake, raw_async_send);
    rows.push_back(wake_floor);
    rows.push_back(
        bench::measure(options, "cross-thread", "std::promise/std::future", wake, promise_future_cross_thread));
    rows.push_back(bench::measure(options, "cross-thread", "one-shot heap state per op (Task-style)", wake,
                                  cross_thread<OneShotStage>));
    rows.push_back(
        bench::measure(options, "cross-thread", "ManualResetSourceCore reused", wake, cross_thread<CoreStage>));
    rows.push_back(bench::measure(options, "cross-thread", "CompletionSource rented from ObjectPool", wake,
                                  cross_thread<PooledStage>));
    for (std::size_t i = first_cross + 1; i < rows.size(); ++i)
        rows[i].note = ratio(rows[i].ns_per_op, wake_floor.ns_per_op, "floor");
    rows[pooled_row].note +=
        ", " + ratio(rows[one_shot_row].ns_per_op, rows[pooled_row].ns_per_op, "faster than one-shot");
    rows[loop_row].note += ", " +
                           ratio(rows[promise_row].ns_per_op, rows[loop_row].ns_per_op, "faster than promise/future") +
                           ", " + ratio(rows[loop_row].ns_per_op, rows[one_shot_row].ns_per_op, "one-shot") + ", " +
                           ratio(rows[loop_row].ns_per_op, rows[core_row].ns_per_op, "core");

    bench::print(options, rows);
}
