#pragma once
// Where the monitor's schedule takes its time from: the loop's clock in the daemon, a
// clock that moves only when told in the tests about schedules.
#include <uv.h>

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <memory>

namespace pcm::monitor {

class Clock;
/// A moment on a `Clock`: nanoseconds from its origin (which means nothing by itself; only
/// differences do).
using Instant = std::chrono::time_point<Clock, std::chrono::nanoseconds>;

/// Puts one coroutine at a time to sleep until a deadline on its clock.
class Alarm {
public:
    virtual ~Alarm() = default;
    /// Resumes `sleeper` once the clock has reached `deadline` (or after `wake`), never
    /// inline.
    virtual void arm(Instant deadline, std::coroutine_handle<> sleeper) = 0;
    /// Resumes the sleeper soon (never inline), if there is one.
    virtual void wake() noexcept = 0;

    struct Sleep {
        Alarm& alarm;
        Instant deadline;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> sleeper) { alarm.arm(deadline, sleeper); }
        void await_resume() const noexcept {}
    };
    /// `co_await alarm.sleep_until(t)`: suspends until the clock reaches `t` (or a wake).
    Sleep sleep_until(Instant deadline) noexcept { return {*this, deadline}; }
};

/// A monotonic time, and alarms on it.
class Clock {
public:
    virtual ~Clock() = default;
    virtual Instant now() const noexcept = 0;
    virtual std::unique_ptr<Alarm> make_alarm() = 0;
};

/// The daemon's clock: `uv_hrtime` (CLOCK_MONOTONIC) and libuv timers on `loop`, whose
/// millisecond resolution is rounded up, so an alarm never fires before its deadline.
class LoopClock final : public Clock {
public:
    explicit LoopClock(uv_loop_t* loop) noexcept : loop_(loop) {}
    Instant now() const noexcept override { return hrtime(); }
    static Instant hrtime() noexcept { return Instant(std::chrono::nanoseconds(uv_hrtime())); }
    std::unique_ptr<Alarm> make_alarm() override;

private:
    uv_loop_t* loop_;
};

}  // namespace pcm::monitor
