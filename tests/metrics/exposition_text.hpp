#pragma once
// Test helper: two renders of the same samples differ only in the figures of the moment
// each was rendered (the wall clock, the daemon's own process); compare them without.
#include <string>
#include <string_view>

namespace pcm::test {

/// `text` without the sample lines of node_time_seconds and process_*.
inline std::string without_moment(std::string_view text) {
    std::string kept;
    kept.reserve(text.size());
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end == std::string_view::npos ? text.size() : end + 1);
        text.remove_prefix(line.size());
        if (line.starts_with("node_time_seconds ") || line.starts_with("process_")) continue;
        kept += line;
    }
    return kept;
}

}  // namespace pcm::test
