#include <pcm/sample/filesystem_reading.hpp>

namespace pcm::sample {

FilesystemSpace space_from(const struct statvfs& st) noexcept {
    const std::uint64_t unit = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
    FilesystemSpace s;
    s.size = static_cast<std::uint64_t>(st.f_blocks) * unit;
    s.free = static_cast<std::uint64_t>(st.f_bfree) * unit;
    s.available = static_cast<std::uint64_t>(st.f_bavail) * unit;
    s.files = st.f_files;
    s.files_free = st.f_ffree;
    const std::uint64_t used = s.size - s.free;
    if (used + s.available > 0)
        s.used_percent = 100.0 * static_cast<double>(used) / static_cast<double>(used + s.available);
    return s;
}

}  // namespace pcm::sample
