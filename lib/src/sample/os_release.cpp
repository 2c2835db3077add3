#include <pcm/sample/os_release.hpp>

#include <pcm/sample/text.hpp>

#include <charconv>

namespace pcm::sample {

const std::string& OsRelease::value(std::string_view key) const noexcept {
    static const std::string none;
    for (std::size_t i = 0; i < os_release_keys.size(); ++i)
        if (os_release_keys[i] == key) return values[i];
    return none;
}

void parse_os_release(std::string_view text, OsRelease& out) {
    for (std::string& value : out.values) value.clear();
    LineReader lines(text);
    for (std::string_view line; lines.next(line);) {
        std::size_t equals = line.find('=');
        if (line.starts_with('#') || equals == std::string_view::npos) continue;
        std::string_view key = line.substr(0, equals), raw = line.substr(equals + 1);
        std::size_t index = os_release_keys.size();
        for (std::size_t i = 0; i < os_release_keys.size(); ++i)
            if (key == os_release_keys[i]) index = i;
        if (index == os_release_keys.size()) continue;
        std::string& value = out.values[index];
        char quote = !raw.empty() && (raw.front() == '"' || raw.front() == '\'') ? raw.front() : '\0';
        if (quote != '\0') {
            raw.remove_prefix(1);
            if (raw.ends_with(quote)) raw.remove_suffix(1);
        }
        value.clear();
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (quote == '"' && raw[i] == '\\' && i + 1 < raw.size()) ++i;
            value += raw[i];
        }
    }
}

double os_version_number(std::string_view version_id) noexcept {
    // node_exporter parses the leading digits and at most one dot: "22.04" -> 22.04, "12" -> 12.
    std::size_t end = 0;
    bool dot = false;
    while (end < version_id.size() &&
           ((version_id[end] >= '0' && version_id[end] <= '9') || (version_id[end] == '.' && !dot))) {
        dot = dot || version_id[end] == '.';
        ++end;
    }
    double number = 0;
    std::from_chars(version_id.data(), version_id.data() + end, number);
    return number;
}

}  // namespace pcm::sample
