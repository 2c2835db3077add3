#include <pcm/sample/loadavg.hpp>

namespace pcm::sample {

ParseStatus parse_loadavg(std::string_view text, LoadAvg& out) {
    FieldReader fields(text.substr(0, text.find('\n')));
    std::string_view tasks;
    if (!next_number(fields, out.load1) || !next_number(fields, out.load5) || !next_number(fields, out.load15))
        return ParseStatus::fail("load averages are not numbers", 1);
    if (!fields.next(tasks)) return ParseStatus::fail("no runnable/total field", 1);
    std::size_t slash = tasks.find('/');
    if (slash == std::string_view::npos || !parse_number(tasks.substr(0, slash), out.runnable) ||
        !parse_number(tasks.substr(slash + 1), out.tasks))
        return ParseStatus::fail("runnable/total is malformed", 1);
    if (!next_number(fields, out.last_pid)) return ParseStatus::fail("last pid is not a number", 1);
    return {};
}

}  // namespace pcm::sample
