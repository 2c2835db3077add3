#pragma once
// /proc/<pid>/stat: a process's CPU times, start time and memory (the figures behind the
// process_* metrics every Prometheus exporter gives about itself).
#include <cstdint>
#include <string_view>

namespace pcm::sample {

struct ProcessStat {
    std::uint64_t user_ticks = 0, system_ticks = 0;  ///< utime, stime (clock ticks)
    std::uint64_t start_ticks = 0;                   ///< starttime: clock ticks after boot
    std::uint64_t virtual_bytes = 0;                 ///< vsize
    std::uint64_t resident_pages = 0;                ///< rss
};

/// Parses one stat line. The command name (field 2) is in parentheses and may itself hold
/// spaces and parentheses, so fields are counted from its last ')'. False on anything else.
bool parse_process_stat(std::string_view text, ProcessStat& out) noexcept;

}  // namespace pcm::sample
