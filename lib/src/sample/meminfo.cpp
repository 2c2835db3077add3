#include <pcm/sample/meminfo.hpp>

namespace pcm::sample {

std::optional<std::uint64_t> Meminfo::get(std::string_view name) const noexcept {
    for (const MemField& f : fields)
        if (f.name == name) return f.value;
    return std::nullopt;
}

ParseStatus parse_meminfo(std::string_view text, Meminfo& out) {
    std::size_t count = 0;
    bool have_total = false;
    LineReader lines(text);
    std::string_view line;
    while (lines.next(line)) {
        if (is_blank_line(line)) continue;
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            return ParseStatus::fail("line has no name:", lines.number());
        std::string_view name = line.substr(0, colon);
        FieldReader fields(line.substr(colon + 1));
        std::uint64_t value = 0;
        if (!next_number(fields, value)) return ParseStatus::fail("value is not a number", lines.number());
        std::string_view unit;
        bool bytes = fields.next(unit);
        if (bytes && unit != "kB") return ParseStatus::fail("unit is not kB", lines.number());
        if (bytes && value > UINT64_MAX / 1024) return ParseStatus::fail("value overflows bytes", lines.number());

        if (count == out.fields.size()) out.fields.emplace_back();
        MemField& field = out.fields[count++];
        if (field.name != name) field.name.assign(name);  // same name as last time: no copy
        field.value = bytes ? value * 1024 : value;
        field.bytes = bytes;
        have_total = have_total || name == "MemTotal";
    }
    out.fields.resize(count);
    if (!have_total) return ParseStatus::fail("no MemTotal", lines.number());
    return {};
}

}  // namespace pcm::sample
