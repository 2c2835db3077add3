#pragma once
// The four groups of readings the daemon samples.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pcm::monitor {

enum class Group : std::uint8_t { cpu, memory, disk, filesystem };

inline constexpr std::array<Group, 4> all_groups{Group::cpu, Group::memory, Group::disk, Group::filesystem};

constexpr std::string_view name(Group group) noexcept {
    constexpr std::array<std::string_view, 4> names{"cpu", "memory", "disk", "filesystem"};
    return names[static_cast<std::size_t>(group)];
}

/// Parses a group name, case-insensitively; "mem" and "fs" are accepted too.
std::optional<Group> parse_group(std::string_view text) noexcept;

}  // namespace pcm::monitor
