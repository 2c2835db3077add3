#include <pcm/sample/file_nr.hpp>

#include <pcm/sample/text.hpp>

namespace pcm::sample {

bool parse_file_nr(std::string_view text, FileNr& out) noexcept {
    if (text.ends_with('\n')) text.remove_suffix(1);
    FieldReader fields(text);
    FileNr parsed;
    if (!next_number(fields, parsed.allocated) || !next_number(fields, parsed.unused) ||
        !next_number(fields, parsed.maximum) || !fields.rest().empty())
        return false;
    out = parsed;
    return true;
}

}  // namespace pcm::sample
