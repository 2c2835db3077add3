#pragma once
// /proc/sys/fs/file-nr: file handles allocated, allocated but unused (always 0 since 2.6),
// and the maximum (node_exporter's filefd collector).
#include <cstdint>
#include <string_view>

namespace pcm::sample {

struct FileNr {
    std::uint64_t allocated = 0, unused = 0, maximum = 0;
};

/// Parses "allocated unused maximum"; false on anything else.
bool parse_file_nr(std::string_view text, FileNr& out) noexcept;

}  // namespace pcm::sample
