#include <pcm/sample/uptime.hpp>

namespace pcm::sample {

ParseStatus parse_uptime(std::string_view text, Uptime& out) {
    FieldReader fields(text.substr(0, text.find('\n')));
    if (!next_number(fields, out.seconds) || !next_number(fields, out.idle_seconds))
        return ParseStatus::fail("uptime is not two numbers", 1);
    return {};
}

}  // namespace pcm::sample
