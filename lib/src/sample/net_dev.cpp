#include <pcm/sample/net_dev.hpp>

namespace pcm::sample {
namespace {

// "  eth0: 1 2 ...": the name may be followed at once by the first number on old kernels
// ("eth0:123"), and may itself hold a colon only as an alias ("eth0:1" is never listed).
bool parse_line(std::string_view line, NetDevLine& out) {
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    FieldReader name_field(line.substr(0, colon));
    std::string_view name;
    if (!name_field.next(name) || !name_field.rest().empty()) return false;
    FieldReader fields(line.substr(colon + 1));
    NetDevCounters counters;
    for (std::uint64_t& value : counters.values)
        if (!next_number(fields, value)) return false;
    if (!fields.rest().empty()) return false;
    if (out.name != name) out.name.assign(name);
    out.counters = counters;
    return true;
}

// The header lines ("Inter-|   Receive ...", " face |bytes ...") hold column bars.
int header_lines(std::string_view text) {
    LineReader lines(text);
    std::string_view line;
    int count = 0;
    while (lines.next(line) && line.find('|') != std::string_view::npos) ++count;
    return count;
}

}  // namespace

ParseStatus parse_net_dev(std::string_view text, std::vector<NetDevLine>& out) {
    return parse_lines_into(text, out, parse_line, "expected an interface name, a colon and 16 counters",
                            header_lines(text));
}

}  // namespace pcm::sample
