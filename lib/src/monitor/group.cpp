#include <pcm/monitor/group.hpp>

#include <cctype>

namespace pcm::monitor {
namespace {
bool same_letters(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    return true;
}
}  // namespace

std::optional<Group> parse_group(std::string_view text) noexcept {
    for (Group g : all_groups)
        if (same_letters(text, name(g))) return g;
    if (same_letters(text, "mem")) return Group::memory;
    if (same_letters(text, "fs")) return Group::filesystem;
    return std::nullopt;
}

}  // namespace pcm::monitor
