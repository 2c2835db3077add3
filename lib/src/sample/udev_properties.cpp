#include <pcm/sample/udev_properties.hpp>

namespace pcm::sample {

void parse_udev_properties(std::string_view text, UdevProperties& out) {
    for (std::string& value : out.values) value.clear();
    LineReader lines(text);
    for (std::string_view line; lines.next(line);) {
        if (!line.starts_with("E:")) continue;
        line.remove_prefix(2);
        std::size_t equals = line.find('=');
        if (equals == std::string_view::npos) continue;
        std::string_view key = line.substr(0, equals);
        for (std::size_t i = 0; i < udev_property_keys.size(); ++i)
            if (key == udev_property_keys[i]) out.values[i].assign(line.substr(equals + 1));
    }
}

}  // namespace pcm::sample
