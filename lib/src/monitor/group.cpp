#include <pcm/monitor/group.hpp>

#include <pcm/sample/text.hpp>

namespace pcm::monitor {

std::optional<Group> parse_group(std::string_view text) noexcept {
    for (Group g : all_groups)
        if (sample::equals_ignoring_case(text, name(g))) return g;
    if (sample::equals_ignoring_case(text, "mem")) return Group::memory;
    if (sample::equals_ignoring_case(text, "fs")) return Group::filesystem;
    if (sample::equals_ignoring_case(text, "net")) return Group::network;
    return std::nullopt;
}

}  // namespace pcm::monitor
