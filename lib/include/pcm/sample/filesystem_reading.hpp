#pragma once
// A filesystem reading: the mounts worth reporting and their space, from statvfs.
#include <pcm/sample/mountinfo.hpp>
#include <pcm/sample/reading.hpp>

#include <sys/statvfs.h>

#include <cstdint>
#include <vector>

namespace pcm::sample {

/// Space and inodes as `df` reports them, in bytes and counts.
struct FilesystemSpace {
    std::uint64_t size = 0, free = 0, available = 0;  ///< available: what unprivileged users can use
    std::uint64_t files = 0, files_free = 0;
    double used_percent = 0;  ///< used / (used + available), as df computes "Use%"
};

/// Converts statvfs output.
FilesystemSpace space_from(const struct statvfs& st) noexcept;

struct FilesystemEntry {
    MountEntry mount;
    bool has_space = false;  ///< false: see `error` (statvfs failed or did not answer in time)
    FilesystemSpace space;
    ErrorText error;
};

struct FilesystemReading {
    ReadingHeader header;
    std::vector<FilesystemEntry> filesystems;
};

}  // namespace pcm::sample
