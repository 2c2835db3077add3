#pragma once
// /sys/class/net/<interface>/: what the kernel says of a network interface besides its
// counters (state, link, addresses), as node_exporter's netclass collector reads it.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pcm::sample {

/// A numeric attribute: its sysfs file and node_exporter's name for it
/// (node_network_<metric>), with the factor from the file's unit to the metric's.
struct NetClassNumber {
    std::string_view file, metric;
    bool counter = false;
    double scale = 1;
};

/// The numeric attributes, in the order of NetClass::numbers.
inline constexpr std::array<NetClassNumber, 17> net_class_numbers{{
    {"addr_assign_type", "address_assign_type"},
    {"carrier", "carrier"},
    {"carrier_changes", "carrier_changes_total", true},
    {"carrier_down_count", "carrier_down_changes_total", true},
    {"carrier_up_count", "carrier_up_changes_total", true},
    {"dev_id", "device_id"},
    {"dormant", "dormant"},
    {"flags", "flags"},
    {"ifindex", "iface_id"},
    {"iflink", "iface_link"},
    {"link_mode", "iface_link_mode"},
    {"mtu", "mtu_bytes"},
    {"name_assign_type", "name_assign_type"},
    {"netdev_group", "net_dev_group"},
    {"type", "protocol_type"},
    {"speed", "speed_bytes", false, 1e6 / 8},  // Mbit/s
    {"tx_queue_len", "transmit_queue_length"},
}};

/// The text attributes, in the order of NetClass::texts (node_network_info's labels).
inline constexpr std::array<std::string_view, 5> net_class_texts{"address", "broadcast", "duplex", "ifalias",
                                                                 "operstate"};

/// The index of an attribute in net_class_numbers.
constexpr std::size_t net_class_index(std::string_view file) {
    for (std::size_t i = 0; i < net_class_numbers.size(); ++i)
        if (net_class_numbers[i].file == file) return i;
    throw "not an attribute of net_class_numbers";  // at compile time: not a constant expression
}

struct NetClass {
    /// Nothing where the kernel refuses the attribute (the speed or carrier of a link that
    /// is down: EINVAL) or has no such file.
    std::array<std::optional<std::int64_t>, net_class_numbers.size()> numbers{};
    /// Empty where the attribute cannot be read.
    std::array<std::string, net_class_texts.size()> texts{};
    /// statistics/rx_nohandler: packets dropped for want of a protocol handler (not in /proc/net/dev).
    std::optional<std::int64_t> receive_nohandler;
    /// Samples since every attribute was read (the sampler reads the settings, such as the
    /// MTU or the address, again only now and then: see NetworkSampler).
    unsigned samples_since_full_read = 0;

    const std::string& operstate() const noexcept { return texts[4]; }
    std::optional<std::int64_t> number(std::string_view file) const noexcept;
};

/// One numeric attribute's text: a decimal, or "0x" hexadecimal (flags, dev_id), number
/// followed by an optional newline; nothing for anything else.
std::optional<std::int64_t> parse_sysfs_integer(std::string_view text) noexcept;

/// One text attribute's value: the text without its trailing newline.
std::string_view sysfs_text(std::string_view text) noexcept;

}  // namespace pcm::sample
