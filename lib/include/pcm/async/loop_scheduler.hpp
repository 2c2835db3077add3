#pragma once
// The stand-in for .NET's SynchronizationContext: a libuv loop that other threads can
// hand continuations to.
#include <pcm/async/execution_context.hpp>
#include <pcm/async/source_status.hpp>
#include <pcm/uv/handle.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
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

/// Reported (through the unhandled-exception handler of task.hpp) when a continuation is
/// posted to a scheduler that has already closed: the continuation is not run.
class scheduler_closed : public std::runtime_error {
public:
    scheduler_closed() : std::runtime_error("continuation refused: its loop's scheduler has closed") {}
};

class LoopScheduler;

namespace detail {

/// The part of a scheduler that those who captured it share: the queue, the loop thread's
/// id and the wake-up. It outlives the `LoopScheduler` as long as any source holds it, so
/// a completion arriving after the loop was torn down reads live memory and is refused,
/// instead of touching freed memory.
class SchedulerQueue {
public:
    explicit SchedulerQueue(std::thread::id loop_thread) noexcept : loop_thread_(loop_thread) {}

    /// Pushes `work` unless the queue has closed; false means refused (nothing queued).
    bool post(ScheduledWork& work) noexcept;
    bool on_loop_thread() const noexcept { return std::this_thread::get_id() == loop_thread_; }
    bool closed() const noexcept { return head_.load(std::memory_order_acquire) == closed_mark(); }

    /// Runs everything queued so far, in FIFO order. Loop thread only.
    void drain() noexcept;
    /// Drains until empty and closes in one step: every push either lands before the close
    /// (and runs here, even if a continuation run here posted it) or is refused.
    void drain_and_close() noexcept;

    std::atomic<std::uint64_t> wakeups{0};
    std::atomic<std::uint64_t> drained{0};
    std::atomic<std::uint64_t> refused{0};

private:
    friend class pcm::async::LoopScheduler;
    static ScheduledWork* closed_mark() noexcept {
        static ScheduledWork mark;
        return &mark;
    }
    void run(ScheduledWork* stack) noexcept;

    std::thread::id loop_thread_;
    std::atomic<ScheduledWork*> head_{nullptr};
    // Guards `async_` so that a late sender never signals a handle the loop has closed.
    // Taken only by the push that finds the queue empty, once per wake-up.
    std::mutex wake_mutex_;
    uv_async_t* async_ = nullptr;
};

/// Hands `work` to the process's fallback thread, for continuations that must not run
/// inline but have no loop to go to (.NET's thread pool in that role). Never allocates.
void post_to_fallback(ScheduledWork& work) noexcept;
/// Reports a refused post to the unhandled-exception handler.
void report_refused_post() noexcept;

}  // namespace detail

/// Runs posted continuations on the thread of one libuv loop.
///
/// Producers push onto a lock-free intrusive stack; one `uv_async_t` drains it on the loop
/// thread in FIFO order. Only the push that finds the stack empty calls `uv_async_send`:
/// every later push rides on the wake-up already under way, so a burst of N completions
/// costs one wake-up, not N (each send is tens of microseconds with Debian's libuv).
///
/// Ownership: construct and destroy on the loop's thread, before the loop closes. Sources
/// that capture the scheduler hold its `queue()` (a shared_ptr), never the scheduler
/// itself, so they may outlive it. The destructor runs everything posted until then,
/// including work posted by the continuations it runs, and then closes the queue; a post
/// after that is refused: the continuation does not run, and `scheduler_closed` goes to
/// the unhandled-exception handler (the awaiting coroutine belonged to a loop that is gone).
/// Schedulers on one thread may be destroyed in any order; `current()` stays valid.
class LoopScheduler {
public:
    explicit LoopScheduler(uv_loop_t* loop);
    ~LoopScheduler();
    LoopScheduler(const LoopScheduler&) = delete;
    LoopScheduler& operator=(const LoopScheduler&) = delete;

    /// Queues `work` to run on the loop thread. Thread-safe, lock-free, no allocation.
    /// False once the scheduler has closed (the work is not queued).
    bool post(ScheduledWork& work) noexcept { return queue_->post(work); }

    /// True when called from the thread this scheduler's loop runs on.
    bool on_loop_thread() const noexcept { return queue_->on_loop_thread(); }

    uv_loop_t* loop() const noexcept { return loop_; }

    /// What a source keeps to post here later, even after this scheduler is gone.
    const std::shared_ptr<detail::SchedulerQueue>& queue() const noexcept { return queue_; }

    /// The innermost live scheduler created on this thread, or nullptr.
    static LoopScheduler* current() noexcept;

    /// Wake-ups actually sent, and continuations run; their ratio shows the batching.
    std::uint64_t wakeups() const noexcept { return queue_->wakeups.load(std::memory_order_relaxed); }
    std::uint64_t drained() const noexcept { return queue_->drained.load(std::memory_order_relaxed); }

private:
    static void on_wakeup(uv_async_t* handle);

    uv_loop_t* loop_;
    LoopScheduler* enclosing_;  // the thread's chain of live schedulers, innermost first
    std::shared_ptr<detail::SchedulerQueue> queue_;
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
