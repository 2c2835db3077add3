#pragma once
// Carries a std::stop_token's request from whatever thread asked for the stop to the loop
// that owns a loop-affine source, through the loop's scheduler.
#include <pcm/async/loop_scheduler.hpp>

#include <atomic>
#include <memory>

namespace pcm::async::detail {

/// One per loop-affine source that ever took a stop token (made once, reused per task).
///
/// The stop callback may run on any thread, where the source must not be touched: it only
/// posts `work` to the loop, at most once at a time (`posted`). On the loop, `run` calls
/// `on_stop(target)`, which checks the source's *current* task's stop token; so a stop
/// posted for an earlier task is harmless, and one that arrives while a post is still
/// queued is not lost. The relay is shared: a queued post keeps it alive after the
/// source is gone (`target` is then null, touched on the loop thread only).
class StopRelay : public std::enable_shared_from_this<StopRelay> {
public:
    StopRelay(std::shared_ptr<SchedulerQueue> queue, void* target, void (*on_stop)(void*)) noexcept
        : queue_(std::move(queue)), target_(target), on_stop_(on_stop) {
        work_.continuation = &StopRelay::run;
        work_.state = this;
    }

    /// From the stop callback, on any thread.
    void request() noexcept;
    /// The source is gone (loop thread).
    void detach() noexcept { target_ = nullptr; }

    /// The stop callback registered for one task: it only forwards to the relay.
    struct Callback {
        StopRelay* relay;
        void operator()() const noexcept { relay->request(); }
    };

private:
    static void run(void* self) noexcept;

    std::shared_ptr<SchedulerQueue> queue_;
    void* target_;
    void (*on_stop_)(void*);
    ScheduledWork work_{};
    std::atomic<bool> posted_{false};
    std::shared_ptr<StopRelay> keepalive_;  // set while posted; written only by the poster
};

}  // namespace pcm::async::detail
