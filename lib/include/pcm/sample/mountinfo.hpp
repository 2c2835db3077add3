#pragma once
// /proc/self/mountinfo: the mount table of the daemon's mount namespace.
#include <pcm/sample/text.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pcm::sample {

/// One mount. Paths are decoded: the kernel writes space, tab, newline and backslash as
/// \040, \011, \012 and \134.
struct MountEntry {
    unsigned major = 0, minor = 0;
    std::string root;  ///< the directory of the filesystem mounted here ("/" unless a bind mount)
    std::string mount_point;
    std::string fstype;
    std::string source;      ///< e.g. /dev/vda1, or "none"
    bool read_only = false;  ///< "ro" among the mount's or its superblock's options
};

/// Parses mountinfo text into `out`, reusing its strings (no allocation while the mount
/// table does not change). A malformed line is skipped and reported in the status.
ParseStatus parse_mountinfo(std::string_view text, std::vector<MountEntry>& out);

/// Writes `escaped` with its \NNN octal escapes decoded into `out`.
void decode_octal_escapes(std::string_view escaped, std::string& out);

}  // namespace pcm::sample
