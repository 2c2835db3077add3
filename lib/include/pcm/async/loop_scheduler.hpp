#pragma once
// The stand-in for .NET's SynchronizationContext: a libuv loop that other threads can
// hand continuations to.
#include <pcm/async/execution_context.hpp>
#include <pcm/async/source_status.hpp>
#include <pcm/uv/handle.hpp>

#include <atomic>
#include <cstdint>
#include <thread>

namespace pcm::async {

/// One continuation waiting to run on a loop. It is embedded in the object that posts it
/// (a source core owns exactly one), so posting never allocates. It must stay alive and
/// untouched until its continuation has started.
struct ScheduledWork {
    ScheduledWork* next = nullptr;
    Continuation continuation = nullptr;
    void* state = nullptr;
    ExecutionContext context{};
    bool flow_context = false;
};

/// Runs posted continuations on the thread of one libuv loop.
///
/// Producers push onto a lock-free intrusive stack; one `uv_async_t` drains it on the loop
/// thread in FIFO order. Only the push that finds the stack empty calls `uv_async_send`:
/// every later push rides on the wake-up already under way, so a burst of N completions
/// costs one wake-up, not N (each send is tens of microseconds with Debian's libuv).
///
/// Construct and destroy on the loop's thread; `post` may be called from any thread.
/// While it exists the async handle keeps the loop alive.
class LoopScheduler {
public:
    explicit LoopScheduler(uv_loop_t* loop);
    ~LoopScheduler();
    LoopScheduler(const LoopScheduler&) = delete;
    LoopScheduler& operator=(const LoopScheduler&) = delete;

    /// Queues `work` to run on the loop thread. Thread-safe, lock-free, no allocation.
    void post(ScheduledWork& work) noexcept;

    /// True when called from the thread this scheduler's loop runs on.
    bool on_loop_thread() const noexcept { return std::this_thread::get_id() == loop_thread_; }

    uv_loop_t* loop() const noexcept { return loop_; }

    /// The scheduler created on this thread (the innermost, if several), or nullptr.
    static LoopScheduler* current() noexcept;

    /// Wake-ups actually sent, and continuations run; their ratio shows the batching.
    std::uint64_t wakeups() const noexcept { return wakeups_.load(std::memory_order_relaxed); }
    std::uint64_t drained() const noexcept { return drained_.load(std::memory_order_relaxed); }

private:
    static void on_wakeup(uv_async_t* handle);
    void drain() noexcept;

    uv_loop_t* loop_;
    std::thread::id loop_thread_;
    LoopScheduler* enclosing_;
    std::atomic<ScheduledWork*> head_{nullptr};
    std::atomic<std::uint64_t> wakeups_{0};
    std::atomic<std::uint64_t> drained_{0};
    uv::Handle<uv_async_t> async_;
};

namespace detail {
inline thread_local LoopScheduler* thread_scheduler = nullptr;
}

inline LoopScheduler* LoopScheduler::current() noexcept { return detail::thread_scheduler; }

/// Runs `continuation(state)`, under `context` when one is given.
inline void run_continuation(Continuation continuation, void* state, const ExecutionContext* context) {
    if (context == nullptr) {
        continuation(state);
        return;
    }
    ScopedExecutionContext scope(*context);
    continuation(state);
}

}  // namespace pcm::async
