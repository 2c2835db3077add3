#pragma once
// /proc/net/softnet_stat: per-CPU packet-processing counters, in hexadecimal.
#include <pcm/sample/text.hpp>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace pcm::sample {

/// One CPU's line. The first three columns are what node_exporter's softnet collector
/// reports (processed, dropped, times squeezed); kernels print 10 to 15 columns in all
/// (5.10 adds the CPU index as the 14th), kept in `values` with `count` saying how many.
struct SoftnetLine {
    enum Field : std::size_t { processed, dropped, time_squeeze };
    static constexpr std::size_t max_fields = 16;
    std::array<std::uint32_t, max_fields> values{};
    std::size_t count = 0;

    std::uint32_t operator[](Field f) const noexcept { return values[f]; }
};

/// Parses /proc/net/softnet_stat into `out` (one element per line, in CPU order).
/// A line of fewer than 3 or more than 16 columns, or with a non-hex column, is skipped
/// and reported in the status.
ParseStatus parse_softnet_stat(std::string_view text, std::vector<SoftnetLine>& out);

}  // namespace pcm::sample
