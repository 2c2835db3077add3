#include <pcm/sample/vmstat.hpp>

namespace pcm::sample {

ParseStatus parse_vmstat(std::string_view text, std::vector<NamedValue>& out) {
    auto parse_line = [](std::string_view line, NamedValue& v) {
        FieldReader fields(line);
        std::string_view name;
        if (!fields.next(name) || !next_number(fields, v.value) || !fields.rest().empty()) return false;
        if (v.name != name) v.name.assign(name);
        return true;
    };
    return parse_lines_into(text, out, parse_line, "expected a name and a number");
}

}  // namespace pcm::sample
