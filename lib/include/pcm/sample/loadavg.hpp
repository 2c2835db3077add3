#pragma once
// /proc/loadavg: run-queue averages and task counts.
#include <pcm/sample/text.hpp>

#include <cstdint>
#include <string_view>

namespace pcm::sample {

struct LoadAvg {
    double load1 = 0, load5 = 0, load15 = 0;
    std::uint32_t runnable = 0;  ///< scheduling entities currently runnable
    std::uint32_t tasks = 0;     ///< scheduling entities that exist
    std::uint32_t last_pid = 0;
};

/// Parses "0.86 0.48 0.20 3/80 4388".
ParseStatus parse_loadavg(std::string_view text, LoadAvg& out);

}  // namespace pcm::sample
