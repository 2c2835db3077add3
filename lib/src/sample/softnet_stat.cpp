#include <pcm/sample/softnet_stat.hpp>

namespace pcm::sample {

ParseStatus parse_softnet_stat(std::string_view text, std::vector<SoftnetLine>& out) {
    auto parse_line = [](std::string_view line, SoftnetLine& cpu) {
        FieldReader fields(line);
        SoftnetLine parsed;
        std::string_view column;
        while (fields.next(column)) {
            if (parsed.count == SoftnetLine::max_fields || column.size() > 8) return false;
            auto [end, ec] =
                std::from_chars(column.data(), column.data() + column.size(), parsed.values[parsed.count], 16);
            if (ec != std::errc() || end != column.data() + column.size()) return false;
            ++parsed.count;
        }
        if (parsed.count < 3) return false;
        cpu = parsed;
        return true;
    };
    return parse_lines_into(text, out, parse_line, "expected 3 to 16 hexadecimal columns");
}

}  // namespace pcm::sample
