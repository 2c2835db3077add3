#include <pcm/sample/process_stat.hpp>

#include <pcm/sample/text.hpp>

namespace pcm::sample {

bool parse_process_stat(std::string_view text, ProcessStat& out) noexcept {
    std::size_t close = text.rfind(')');
    if (close == std::string_view::npos || text.find('(') > close) return false;
    // After "pid (comm)": field 3 (state) is the first; utime is field 14, stime 15,
    // starttime 22, vsize 23, rss 24.
    FieldReader fields(text.substr(close + 1));
    ProcessStat parsed;
    std::string_view field;
    for (int number = 3; number <= 24; ++number) {
        if (!fields.next(field)) return false;
        std::uint64_t* target = number == 14   ? &parsed.user_ticks
                                : number == 15 ? &parsed.system_ticks
                                : number == 22 ? &parsed.start_ticks
                                : number == 23 ? &parsed.virtual_bytes
                                : number == 24 ? &parsed.resident_pages
                                               : nullptr;
        if (target != nullptr && !parse_number(field, *target)) return false;
    }
    out = parsed;
    return true;
}

}  // namespace pcm::sample
