#include <pcm/sample/mountinfo.hpp>

namespace pcm::sample {
namespace {

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// Assigns `escaped`, decoded, to `out`, leaving `out` untouched when it already matches
// the plain text (the usual case: a path without escapes, unchanged since last time).
void assign_decoded(std::string_view escaped, std::string& out) {
    if (escaped.find('\\') == std::string_view::npos) {
        if (out != escaped) out.assign(escaped);
        return;
    }
    decode_octal_escapes(escaped, out);
}

bool has_option(std::string_view options, std::string_view wanted) {
    for (std::string_view rest = options; !rest.empty();) {
        std::size_t comma = rest.find(',');
        if (rest.substr(0, comma) == wanted) return true;
        rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
    return false;
}

bool parse_line(std::string_view line, MountEntry& out) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    FieldReader fields(line);
    std::string_view id, parent, device, root, mount_point, options, field, fstype, source;
    if (!fields.next(id) || !fields.next(parent) || !fields.next(device) || !fields.next(root) ||
        !fields.next(mount_point) || !fields.next(options))
        return false;
    do {
        if (!fields.next(field)) return false;
    } while (field != "-");
    if (!fields.next(fstype) || !fields.next(source)) return false;
    std::string_view super_options;
    fields.next(super_options);  // absent on some old kernels
    std::size_t colon = device.find(':');
    if (colon == std::string_view::npos || !parse_number(device.substr(0, colon), out.major) ||
        !parse_number(device.substr(colon + 1), out.minor))
        return false;
    // Read-only if the mount or its superblock is (statvfs's ST_RDONLY says the same).
    out.read_only = has_option(options, "ro") || has_option(super_options, "ro");
    assign_decoded(root, out.root);
    assign_decoded(mount_point, out.mount_point);
    assign_decoded(fstype, out.fstype);
    assign_decoded(source, out.source);
    return true;
}

}  // namespace

void decode_octal_escapes(std::string_view escaped, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < escaped.size(); ++i) {
        if (escaped[i] == '\\' && i + 3 < escaped.size() && is_octal(escaped[i + 1]) && is_octal(escaped[i + 2]) &&
            is_octal(escaped[i + 3])) {
            out.push_back(
                static_cast<char>((escaped[i + 1] - '0') * 64 + (escaped[i + 2] - '0') * 8 + (escaped[i + 3] - '0')));
            i += 3;
        } else {
            out.push_back(escaped[i]);
        }
    }
}

ParseStatus parse_mountinfo(std::string_view text, std::vector<MountEntry>& out) {
    return parse_lines_into(text, out, parse_line, "malformed mountinfo line");
}

}  // namespace pcm::sample
