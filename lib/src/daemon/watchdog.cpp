#include <pcm/daemon/watchdog.hpp>

#include <algorithm>
#include <utility>

namespace pcm::daemon {

Watchdog::Watchdog(monitor::Clock& clock, std::chrono::nanoseconds period, std::function<void()> ping)
    : clock_(clock),
      period_(std::max(period, std::chrono::nanoseconds(1))),
      ping_(std::move(ping)),
      alarm_(clock.make_alarm()) {}

void Watchdog::start() {
    if (running_ || stopping_) return;
    running_ = true;
    async::spawn(run());
}

void Watchdog::stop(std::function<void()> on_stopped) {
    stopping_ = true;
    if (!running_) {
        if (on_stopped) on_stopped();
        return;
    }
    on_stopped_ = std::move(on_stopped);
    alarm_->wake();
}

async::Task<void> Watchdog::run() {
    monitor::Instant next = clock_.now();
    while (!stopping_) {
        ping_();
        ++pings_;
        // The next ping a period after this one was due; after a stall (this one late by a
        // period or more), a period after now: missed pings are not made up in a burst.
        next += period_;
        if (next <= clock_.now()) next = clock_.now() + period_;
        co_await alarm_->sleep_until(next);
    }
    running_ = false;
    if (on_stopped_) std::exchange(on_stopped_, {})();
}

}  // namespace pcm::daemon
