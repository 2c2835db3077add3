#include <pcm/sample/net_class.hpp>

#include <charconv>

namespace pcm::sample {

std::optional<std::int64_t> NetClass::number(std::string_view file) const noexcept {
    for (std::size_t i = 0; i < net_class_numbers.size(); ++i)
        if (net_class_numbers[i].file == file) return numbers[i];
    return std::nullopt;
}

std::string_view sysfs_text(std::string_view text) noexcept {
    if (text.ends_with('\n')) text.remove_suffix(1);
    return text;
}

std::optional<std::int64_t> parse_sysfs_integer(std::string_view text) noexcept {
    text = sysfs_text(text);
    int base = 10;
    if (text.starts_with("0x") || text.starts_with("0X")) {
        text.remove_prefix(2);
        base = 16;
    }
    if (text.empty() || (base == 16 && text.front() == '-')) return std::nullopt;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace pcm::sample
