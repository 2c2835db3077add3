#pragma once
// The groups of readings the daemon samples, by name. What each one does is its row of
// the group table (group_sampler.hpp).
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pcm::monitor {

enum class Group : std::uint8_t { cpu, memory, disk, filesystem, network, kernel, textfile };

inline constexpr std::array<Group, 7> all_groups{Group::cpu,     Group::memory, Group::disk,    Group::filesystem,
                                                 Group::network, Group::kernel, Group::textfile};

constexpr std::string_view name(Group group) noexcept {
    constexpr std::array<std::string_view, all_groups.size()> names{"cpu",     "memory", "disk",    "filesystem",
                                                                    "network", "kernel", "textfile"};
    return names[static_cast<std::size_t>(group)];
}

/// Parses a group name, case-insensitively; "mem", "fs" and "net" are accepted too.
std::optional<Group> parse_group(std::string_view text) noexcept;

}  // namespace pcm::monitor
