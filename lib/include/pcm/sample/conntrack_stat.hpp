#pragma once
// /proc/net/stat/nf_conntrack: per-CPU connection-tracking counters, in hexadecimal under
// a header line that names the columns (kernels add and drop columns).
#include <pcm/sample/text.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pcm::sample {

/// The columns node_exporter's conntrack collector reports (node_nf_conntrack_stat_<name>).
inline constexpr std::array<std::string_view, 8> conntrack_stat_fields{
    "found", "invalid", "ignore", "insert", "insert_failed", "drop", "early_drop", "search_restart"};

/// Each field summed over the CPUs; nothing for a column this kernel does not print.
struct ConntrackStat {
    std::array<std::optional<std::uint64_t>, conntrack_stat_fields.size()> sums{};
};

/// Parses the header line and the per-CPU lines into `out`. A line whose column count
/// differs from the header's, or with a column that is not hexadecimal, is skipped and
/// reported in the status; no header at all is an error (and `out` is left empty).
ParseStatus parse_conntrack_stat(std::string_view text, ConntrackStat& out) noexcept;

}  // namespace pcm::sample
