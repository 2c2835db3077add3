#pragma once
// When a group samples next: fixed-rate ticks against absolute deadlines.
#include <pcm/monitor/clock.hpp>

#include <chrono>
#include <cstdint>

namespace pcm::monitor {

/// Deadlines start, start + interval, start + 2 * interval, ... Ticks are planned from
/// the deadline, not from when the previous tick ran, so lateness never accumulates
/// into drift. A tick that comes more than an interval late is taken once, and the
/// deadlines it missed are skipped rather than caught up in a burst.
class DeadlineSchedule {
public:
    using nanoseconds = std::chrono::nanoseconds;

    /// The first deadline is `now`: a group samples as soon as it starts.
    void start(Instant now, nanoseconds interval) noexcept {
        interval_ = interval;
        deadline_ = now;
    }

    Instant deadline() const noexcept { return deadline_; }
    nanoseconds interval() const noexcept { return interval_; }
    std::uint64_t skipped() const noexcept { return skipped_; }

    /// Takes the tick due at `deadline()`, running at `now`; returns how late it runs
    /// (negative if the timer fired a little early) and moves to the next deadline after now.
    nanoseconds take(Instant now) noexcept {
        nanoseconds lateness = now - deadline_;
        deadline_ += interval_;
        if (deadline_ <= now) {
            auto missed = (now - deadline_) / interval_ + 1;
            deadline_ += missed * interval_;
            skipped_ += static_cast<std::uint64_t>(missed);
        }
        return lateness;
    }

    /// Changes the interval from now on: the next deadline is one new interval after the
    /// last tick's deadline, or now if that has already passed.
    void change_interval(Instant now, nanoseconds interval) noexcept {
        Instant last = deadline_ - interval_;
        interval_ = interval;
        deadline_ = last + interval > now ? last + interval : now;
    }

private:
    nanoseconds interval_{1};
    Instant deadline_{};
    std::uint64_t skipped_ = 0;
};

}  // namespace pcm::monitor
