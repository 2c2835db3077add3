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
    return parse_lines_into(text, out, parse_line, "expected major minor name and 11, 15 or 17 counters");
}

}  // namespace pcm::sample
