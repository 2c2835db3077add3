#pragma once
// Reading a whole procfs file again and again without allocating.
#include <pcm/sys/unique_fd.hpp>

#include <string>
#include <string_view>

namespace pcm::sample {

/// One procfs file, kept open and re-read from offset 0 with pread into a buffer that
/// only grows; a read that does not fill the buffer is taken as the whole file (one
/// system call per file and sample; outside /proc, an fstat also notices a file deleted
/// meanwhile). A file that cannot be opened (yet) is retried on every read; after a read
/// error the file is reopened on the next read.
class ProcFile {
public:
    explicit ProcFile(std::string path) : path_(std::move(path)), may_vanish_(!path_.starts_with("/proc/")) {}

    /// Reads the whole file. Returns 0 and sets `text` (valid until the next read), or
    /// an errno value.
    int read(std::string_view& text);

    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    bool may_vanish_;
    sys::UniqueFd fd_;
    std::string buffer_;
};

}  // namespace pcm::sample
