#pragma once
// /proc/pressure/{cpu,memory,io}: pressure-stall information (PSI), kernel 4.20 and later.
#include <pcm/sample/text.hpp>

#include <cstdint>
#include <string_view>

namespace pcm::sample {

/// One line: the share of time some (or all) tasks were stalled, averaged over 10, 60
/// and 300 seconds, in percent, and the total stall time in microseconds.
struct PressureLine {
    bool present = false;
    double avg10 = 0, avg60 = 0, avg300 = 0;
    std::uint64_t total_us = 0;
};

struct Pressure {
    bool available = false;  ///< false when the kernel has no such file (no PSI)
    PressureLine some;
    PressureLine full;  ///< the cpu file has "full" only since 5.13
};

/// Parses one pressure file. Fails on an unknown line kind or a malformed key=value.
ParseStatus parse_pressure(std::string_view text, Pressure& out);

}  // namespace pcm::sample
