#include <pcm/sample/proc_file.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>

namespace pcm::sample {

int ProcFile::read(std::string_view& text) {
    // A file deleted while we hold it open would go on being read from its old inode:
    // notice (link count 0) and open the path again, which then reports it gone. procfs
    // entries cannot be deleted, so the check is for other roots (fixtures, fault injection).
    struct stat st {};
    if (fd_ && may_vanish_ && ::fstat(fd_.get(), &st) == 0 && st.st_nlink == 0) fd_.reset();
    if (!fd_) {
        fd_.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd_) return errno;
    }
    if (buffer_.empty()) buffer_.resize(4096);
    std::size_t length = 0;
    for (;;) {
        if (length == buffer_.size()) buffer_.resize(buffer_.size() * 2);
        ssize_t n = ::pread(fd_.get(), buffer_.data() + length, buffer_.size() - length, static_cast<off_t>(length));
        if (n < 0) {
            if (errno == EINTR) continue;
            int error = errno;
            fd_.reset();
            return error;
        }
        length += static_cast<std::size_t>(n);
        // A short read is the end: procfs fills the buffer as far as the file goes, and
        // asking again at the new offset would make the kernel generate the file anew.
        if (length < buffer_.size()) break;
    }
    text = std::string_view(buffer_.data(), length);
    return 0;
}

}  // namespace pcm::sample
