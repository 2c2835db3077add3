#pragma once
// os-release(5): the distribution's identity, as node_exporter's os collector reports it.
#include <array>
#include <string>
#include <string_view>

namespace pcm::sample {

/// The keys node_os_info carries, in order, and its label for each (the key in lower case).
inline constexpr std::array<std::string_view, 12> os_release_keys{
    "BUILD_ID",    "ID",      "ID_LIKE",    "IMAGE_ID", "IMAGE_VERSION",    "NAME",
    "PRETTY_NAME", "VARIANT", "VARIANT_ID", "VERSION",  "VERSION_CODENAME", "VERSION_ID"};
inline constexpr std::array<std::string_view, 12> os_release_labels{
    "build_id",    "id",      "id_like",    "image_id", "image_version",    "name",
    "pretty_name", "variant", "variant_id", "version",  "version_codename", "version_id"};

struct OsRelease {
    std::array<std::string, os_release_keys.size()> values;  ///< empty where the file has none
    const std::string& value(std::string_view key) const noexcept;
};

/// Reads the KEY=value lines of os-release(5) into `out`, reusing its storage: values may
/// be quoted with " or ' (the quotes are removed, and backslash escapes inside double
/// quotes undone); comments, blank lines and keys not in os_release_keys are skipped.
void parse_os_release(std::string_view text, OsRelease& out);

/// VERSION_ID as node_os_version's value: its leading "major.minor" as a number, 0 if none.
double os_version_number(std::string_view version_id) noexcept;

}  // namespace pcm::sample
