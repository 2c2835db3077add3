#pragma once
// When a group samples next: fixed-rate ticks against absolute deadlines.
#include <cstdint>

namespace pcm::monitor {

/// Deadlines start, start + interval, start + 2 * interval, ... Ticks are planned from
/// the deadline, not from when the previous tick ran, so lateness never accumulates
/// into drift. A tick that comes more than an interval late is taken once, and the
/// deadlines it missed are skipped rather than caught up in a burst.
class DeadlineSchedule {
public:
    /// The first deadline is `now`: a group samples as soon as it starts.
    void start(std::int64_t now_ns, std::int64_t interval_ns) noexcept {
        interval_ = interval_ns;
        deadline_ = now_ns;
    }

    std::int64_t deadline() const noexcept { return deadline_; }
    std::int64_t interval() const noexcept { return interval_; }
    std::uint64_t skipped() const noexcept { return skipped_; }

    /// Takes the tick due at `deadline()`, running at `now_ns`; returns how late it runs
    /// (negative if the timer fired a little early) and moves to the next deadline after now.
    std::int64_t take(std::int64_t now_ns) noexcept {
        std::int64_t lateness = now_ns - deadline_;
        deadline_ += interval_;
        if (deadline_ <= now_ns) {
            std::int64_t missed = (now_ns - deadline_) / interval_ + 1;
            deadline_ += missed * interval_;
            skipped_ += static_cast<std::uint64_t>(missed);
        }
        return lateness;
    }

    /// Changes the interval from now on: the next deadline is one new interval after the
    /// last tick's deadline, or now if that has already passed.
    void change_interval(std::int64_t now_ns, std::int64_t interval_ns) noexcept {
        std::int64_t last = deadline_ - interval_;
        interval_ = interval_ns;
        deadline_ = last + interval_ns > now_ns ? last + interval_ns : now_ns;
    }

private:
    std::int64_t interval_ = 1;
    std::int64_t deadline_ = 0;
    std::uint64_t skipped_ = 0;
};

}  // namespace pcm::monitor
