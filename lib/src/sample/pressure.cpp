#include <pcm/sample/pressure.hpp>

namespace pcm::sample {
namespace {

bool parse_pair(std::string_view field, std::string_view key, auto& out) {
    return field.size() > key.size() && field.substr(0, key.size()) == key && field[key.size()] == '=' &&
           parse_number(field.substr(key.size() + 1), out);
}

}  // namespace

ParseStatus parse_pressure(std::string_view text, Pressure& out) {
    out = Pressure{};
    LineReader lines(text);
    std::string_view line;
    while (lines.next(line)) {
        FieldReader fields(line);
        std::string_view kind, f10, f60, f300, ftotal;
        if (!fields.next(kind)) continue;
        PressureLine* target = kind == "some" ? &out.some : kind == "full" ? &out.full : nullptr;
        if (target == nullptr) return ParseStatus::fail("line is neither some nor full", lines.number());
        if (!fields.next(f10) || !fields.next(f60) || !fields.next(f300) || !fields.next(ftotal) ||
            !parse_pair(f10, "avg10", target->avg10) || !parse_pair(f60, "avg60", target->avg60) ||
            !parse_pair(f300, "avg300", target->avg300) || !parse_pair(ftotal, "total", target->total_us))
            return ParseStatus::fail("expected avg10= avg60= avg300= total=", lines.number());
        target->present = true;
    }
    if (!out.some.present) return ParseStatus::fail("no some line", lines.number());
    out.available = true;
    return {};
}

}  // namespace pcm::sample
