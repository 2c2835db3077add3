#pragma once
// Log lines on stderr: with "<N>" syslog-priority prefixes when stderr is the journal, so
// journald files each line at its priority; plain "pcmonitord: level: " lines otherwise.
#include <pcm/config/config.hpp>

namespace pcm::daemon {

enum class Priority { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

/// Lines below `level` are dropped.
void set_log_level(config::LogLevel level) noexcept;

/// Writes one line (printf-style, no trailing newline needed).
[[gnu::format(printf, 2, 3)]] void log(Priority priority, const char* format, ...) noexcept;

/// True when stderr is connected to the journal ($JOURNAL_STREAM names stderr's device and inode).
bool stderr_is_journal() noexcept;

}  // namespace pcm::daemon
