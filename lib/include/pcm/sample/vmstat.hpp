#pragma once
// /proc/vmstat: the kernel's virtual-memory event counters and gauges, "name value" per line.
#include <pcm/sample/named_value.hpp>
#include <pcm/sample/text.hpp>

#include <string_view>
#include <vector>

namespace pcm::sample {

/// Parses /proc/vmstat into `out`, reusing its storage (no allocation once the same names
/// come back). A line that is not "name number" is skipped and reported in the status.
ParseStatus parse_vmstat(std::string_view text, std::vector<NamedValue>& out);

}  // namespace pcm::sample
