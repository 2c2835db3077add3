#pragma once
// The service manager's watchdog, fed from the event loop on an injected clock.
#include <pcm/async/task.hpp>
#include <pcm/monitor/clock.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace pcm::daemon {

/// Calls `ping` (which sends "WATCHDOG=1") at once and then every `period` (half of
/// WATCHDOG_USEC), from a coroutine on the loop that `clock`'s alarms resume: the loop's
/// clock in the daemon, a manual one in the tests. A hung loop sends nothing, which is
/// what lets the manager see it; after a stall there is one ping, not one per missed
/// period, and the next follows a period later. Loop thread only.
class Watchdog {
public:
    Watchdog(monitor::Clock& clock, std::chrono::nanoseconds period, std::function<void()> ping);
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    /// Stop it, and let it end, first.
    ~Watchdog() = default;

    void start();
    /// Pings no more; `on_stopped` runs once its coroutine has ended (soon, never inline),
    /// or at once if it never started.
    void stop(std::function<void()> on_stopped);

    std::uint64_t pings() const noexcept { return pings_; }

private:
    async::Task<void> run();

    monitor::Clock& clock_;
    std::chrono::nanoseconds period_;
    std::function<void()> ping_;
    std::unique_ptr<monitor::Alarm> alarm_;
    std::function<void()> on_stopped_;
    std::uint64_t pings_ = 0;
    bool running_ = false, stopping_ = false;
};

}  // namespace pcm::daemon
