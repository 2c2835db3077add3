#include <pcm/daemon/log.hpp>

#include <sys/stat.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace pcm::daemon {
namespace {

std::atomic<int> max_priority{static_cast<int>(Priority::info)};

int priority_of(config::LogLevel level) noexcept {
    switch (level) {
        case config::LogLevel::error: return 3;
        case config::LogLevel::warning: return 4;
        case config::LogLevel::notice: return 5;
        case config::LogLevel::info: return 6;
        case config::LogLevel::debug: return 7;
    }
    return 6;
}

const char* label(Priority p) noexcept {
    switch (p) {
        case Priority::error: return "error";
        case Priority::warning: return "warning";
        case Priority::notice: return "notice";
        case Priority::info: return "info";
        case Priority::debug: return "debug";
    }
    return "info";
}

}  // namespace

void set_log_level(config::LogLevel level) noexcept { max_priority = priority_of(level); }

bool stderr_is_journal() noexcept {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) return false;
    unsigned long long device = 0, inode = 0;
    if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
    struct stat st {};
    return ::fstat(2, &st) == 0 && st.st_dev == device && st.st_ino == inode;
}

void log(Priority priority, const char* format, ...) noexcept {
    if (static_cast<int>(priority) > max_priority.load(std::memory_order_relaxed)) return;
    static const bool journal = stderr_is_journal();
    char line[1024];
    int prefix = journal ? std::snprintf(line, sizeof line, "<%d>", static_cast<int>(priority))
                         : std::snprintf(line, sizeof line, "pcmonitord: %s: ", label(priority));
    va_list args;
    va_start(args, format);
    std::vsnprintf(line + prefix, sizeof line - static_cast<std::size_t>(prefix), format, args);
    va_end(args);
    std::fprintf(stderr, "%s\n", line);  // one write per line: lines from threads never interleave
}

}  // namespace pcm::daemon
