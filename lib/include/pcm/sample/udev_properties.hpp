#pragma once
// A block device's properties in udev's database (/run/udev/data/b<major>:<minor>), as
// node_exporter's node_disk_info labels carry them.
#include <pcm/sample/text.hpp>

#include <array>
#include <string>
#include <string_view>

namespace pcm::sample {

/// The udev properties node_disk_info reports, and its label for each.
inline constexpr std::array<std::string_view, 5> udev_property_keys{"ID_PATH", "ID_WWN", "ID_MODEL", "ID_SERIAL_SHORT",
                                                                    "ID_REVISION"};
inline constexpr std::array<std::string_view, 5> udev_property_labels{"path", "wwn", "model", "serial", "revision"};

struct UdevProperties {
    std::array<std::string, udev_property_keys.size()> values;  ///< empty where udev has none
};

/// Reads the "E:KEY=value" lines of a udev database file into `out`, reusing its storage;
/// other lines ("S:", "I:", "G:"...) are skipped. A property udev does not list is empty.
void parse_udev_properties(std::string_view text, UdevProperties& out);

}  // namespace pcm::sample
