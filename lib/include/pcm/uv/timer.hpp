#pragma once
// A libuv timer that a coroutine can sleep on.
#include <pcm/uv/handle.hpp>

#include <coroutine>
#include <cstdint>
#include <utility>

namespace pcm::uv {

/// One coroutine at a time sleeps on it; `wake` ends the sleep early (on the next loop
/// iteration). Use on the loop's thread only.
class Timer {
public:
    explicit Timer(uv_loop_t* loop) : timer_(uv_timer_init, loop) { timer_.get()->data = this; }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    struct Sleep {
        Timer* timer;
        std::uint64_t ms;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> sleeper) const noexcept { timer->resume_after(ms, sleeper); }
        void await_resume() const noexcept {}
    };

    /// Suspends the awaiting coroutine for `ms` milliseconds (or until `wake`).
    Sleep sleep(std::uint64_t ms) noexcept { return {this, ms}; }

    /// Resumes `sleeper` after `ms` milliseconds (or at `wake`), on the loop.
    void resume_after(std::uint64_t ms, std::coroutine_handle<> sleeper) noexcept {
        sleeper_ = sleeper;
        uv_timer_start(timer_.get(), &Timer::fired, ms, 0);
    }

    /// Resumes the sleeper soon, if there is one.
    void wake() noexcept {
        if (sleeper_) uv_timer_start(timer_.get(), &Timer::fired, 0, 0);
    }

    bool sleeping() const noexcept { return static_cast<bool>(sleeper_); }

private:
    static void fired(uv_timer_t* handle) {
        auto* self = static_cast<Timer*>(handle->data);
        if (auto sleeper = std::exchange(self->sleeper_, {})) sleeper.resume();
    }

    Handle<uv_timer_t> timer_;
    std::coroutine_handle<> sleeper_;
};

}  // namespace pcm::uv
