#pragma once
// Test helper: a clock that moves only when the test says so (the role folly's
// ManualExecutor plays for coroutines), for the monitor's schedule.
#include <pcm/monitor/clock.hpp>

#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace pcm::test {

class ManualClock final : public monitor::Clock {
public:
    monitor::Instant now() const noexcept override { return now_; }

    std::unique_ptr<monitor::Alarm> make_alarm() override { return std::make_unique<ManualAlarm>(*this); }

    /// Moves time forward by `span`, stopping at every deadline on the way: each sleeper is
    /// resumed when the clock shows exactly its deadline (one that sleeps again within the
    /// span is resumed again), as a loop that is never late would.
    void advance(std::chrono::nanoseconds span) {
        const monitor::Instant until = now_ + span;
        while (ManualAlarm* next = earliest(until)) {
            now_ = std::max(now_, next->deadline);
            std::exchange(next->sleeper, {}).resume();
        }
        now_ = until;
    }

    /// Moves time forward by `span` at once, resuming nobody on the way: a loop blocked for
    /// that long. Then the sleepers now due are resumed, late.
    void stall(std::chrono::nanoseconds span) {
        now_ += span;
        advance(std::chrono::nanoseconds::zero());
    }

    /// Resumes sleepers already due (woken ones included) without moving time.
    void run_due() { advance(std::chrono::nanoseconds::zero()); }

    /// Coroutines asleep on this clock.
    std::size_t sleepers() const noexcept {
        return static_cast<std::size_t>(
            std::count_if(alarms_.begin(), alarms_.end(), [](const ManualAlarm* a) { return bool(a->sleeper); }));
    }

private:
    struct ManualAlarm final : monitor::Alarm {
        explicit ManualAlarm(ManualClock& c) : clock(c) { clock.alarms_.push_back(this); }
        ~ManualAlarm() override { std::erase(clock.alarms_, this); }
        void arm(monitor::Instant at, std::coroutine_handle<> s) override {
            deadline = at;
            sleeper = s;
        }
        void wake() noexcept override { deadline = clock.now_; }
        ManualClock& clock;
        monitor::Instant deadline{};
        std::coroutine_handle<> sleeper;
    };

    ManualAlarm* earliest(monitor::Instant until) const noexcept {
        ManualAlarm* best = nullptr;
        for (ManualAlarm* a : alarms_)
            if (a->sleeper && a->deadline <= until && (best == nullptr || a->deadline < best->deadline)) best = a;
        return best;
    }

    monitor::Instant now_{std::chrono::seconds(1)};  // any origin: the monitor reads only differences
    std::vector<ManualAlarm*> alarms_;
};

}  // namespace pcm::test
