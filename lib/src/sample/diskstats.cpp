#include <pcm/sample/diskstats.hpp>

namespace pcm::sample {
namespace {

bool parse_line(std::string_view line, DiskLine& out) {
    FieldReader fields(line);
    std::string_view name;
    if (!next_number(fields, out.major) || !next_number(fields, out.minor) || !fields.next(name)) return false;
    DiskCounters counters;
    while (!fields.rest().empty()) {
        if (counters.count == DiskCounters::max_fields) return false;
        if (!next_number(fields, counters.values[counters.count++])) return false;
    }
    if (counters.count != 11 && counters.count != 15 && counters.count != 17) return false;
    if (out.name != name) out.name.assign(name);
    out.counters = counters;
    return true;
}

}  // namespace

ParseStatus parse_diskstats(std::string_view text, std::vector<DiskLine>& out) {
    ParseStatus status;
    std::size_t count = 0;
    LineReader lines(text);
    std::string_view line;
    while (lines.next(line)) {
        if (is_blank_line(line)) continue;
        if (count == out.size()) out.emplace_back();
        if (parse_line(line, out[count]))
            ++count;
        else if (status)
            status = ParseStatus::fail("expected major minor name and 11, 15 or 17 counters", lines.number());
    }
    out.resize(count);
    return status;
}

}  // namespace pcm::sample
