#pragma once
// Log lines on stderr: with "<N>" syslog-priority prefixes when stderr is the journal, so
// journald files each line at its priority; plain "pcmonitord: level: " lines otherwise.
#include <pcm/config/config.hpp>

#include <cstdint>
#include <utility>

namespace pcm::daemon {

enum class Priority { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

/// Lines below `level` are dropped.
void set_log_level(config::LogLevel level) noexcept;

/// Writes one line (printf-style, no trailing newline needed).
[[gnu::format(printf, 2, 3)]] void log(Priority priority, const char* format, ...) noexcept;

/// At most one line per interval for one kind of event (a flood of drops or refusals must
/// not flood the journal); the events not logged are counted for the next line.
class LogThrottle {
public:
    static constexpr std::int64_t default_interval_ns = 10'000'000'000;

    explicit LogThrottle(std::int64_t interval_ns = default_interval_ns) noexcept : interval_ns_(interval_ns) {}

    /// True when the event at `now_ns` is to be logged; then `suppressed()` says how many
    /// were not since the last line logged.
    bool admit(std::int64_t now_ns) noexcept {
        if (logged_ && now_ns - last_ns_ < interval_ns_) {
            ++pending_;
            return false;
        }
        logged_ = true;
        last_ns_ = now_ns;
        suppressed_ = std::exchange(pending_, 0);
        return true;
    }
    std::uint64_t suppressed() const noexcept { return suppressed_; }

private:
    std::int64_t interval_ns_;
    std::int64_t last_ns_ = 0;
    std::uint64_t pending_ = 0, suppressed_ = 0;
    bool logged_ = false;
};

/// True when stderr is connected to the journal ($JOURNAL_STREAM names stderr's device and inode).
bool stderr_is_journal() noexcept;

}  // namespace pcm::daemon
