#pragma once
// /proc/uptime: seconds since boot, and idle seconds summed over CPUs.
#include <pcm/sample/text.hpp>

#include <string_view>

namespace pcm::sample {

struct Uptime {
    double seconds = 0;
    double idle_seconds = 0;
};

/// Parses "851.46 1480.48".
ParseStatus parse_uptime(std::string_view text, Uptime& out);

}  // namespace pcm::sample
