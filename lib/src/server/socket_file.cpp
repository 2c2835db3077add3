#include <pcm/server/socket_file.hpp>

#include <pcm/daemon/log.hpp>

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>

namespace pcm::server {

using daemon::log;
using daemon::Priority;

namespace {

std::runtime_error failure(const std::string& what, int error) {
    return std::runtime_error(what + ": " + std::strerror(error));
}

// Whether something accepts connections on `path` right now.
bool someone_listens(const std::string& path) {
    sys::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

std::string octal(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

// The socket's directory must be one no other user can swap files in: owned by us or
// root, and not writable by others unless sticky (as OpenSSH's StrictModes).
void prepare_directory(const std::string& path) {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty()) dir = ".";
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) throw failure("cannot examine " + dir.string(), errno);
        if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw failure("cannot create " + dir.string(), errno);
        if (::lstat(dir.c_str(), &st) != 0) throw failure("cannot examine " + dir.string(), errno);
    }
    if (S_ISLNK(st.st_mode)) {
        // A symlink is only as safe as whoever could have made it.
        if (st.st_uid != ::geteuid() && st.st_uid != 0)
            throw std::runtime_error(dir.string() + " is a symbolic link owned by another user (uid " +
                                     std::to_string(st.st_uid) + "); not using it for the socket");
        if (::stat(dir.c_str(), &st) != 0) throw failure("cannot examine " + dir.string(), errno);
    }
    if (!S_ISDIR(st.st_mode)) throw std::runtime_error(dir.string() + " is not a directory");
    // A directory someone else owns could swap the socket under us.
    if (st.st_uid != ::geteuid() && st.st_uid != 0)
        throw std::runtime_error(dir.string() + " belongs to another user (uid " + std::to_string(st.st_uid) + ")");
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0)
        throw std::runtime_error("the socket directory " + dir.string() + " (mode " + octal(st.st_mode) +
                                 ") is writable by " + ((st.st_mode & S_IWOTH) != 0 ? "all users" : "its group") +
                                 " and not sticky, so another user could replace the socket; remove the write "
                                 "permission (chmod go-w) or set the sticky bit (chmod +t)");
}

void replace_stale_socket(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return;
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(path + " exists and is not a socket; not touching it");
    if (someone_listens(path)) throw std::runtime_error("another pcmonitord is already listening on " + path);
    if (::unlink(path.c_str()) != 0) throw failure("cannot remove stale socket " + path, errno);
    log(Priority::notice, "replaced stale socket %s (nothing answered on it)", path.c_str());
}

}  // namespace

sys::UniqueFd SocketFile::bind() const {
    if (path_.empty() || path_.size() >= sizeof(sockaddr_un::sun_path))
        throw std::runtime_error("socket path empty or too long (" + std::to_string(path_.size()) +
                                 " bytes): " + path_);
    prepare_directory(path_);
    replace_stale_socket(path_);
    std::optional<gid_t> gid;
    if (!group_.empty()) {
        struct group* g = ::getgrnam(group_.c_str());
        if (g == nullptr) throw std::runtime_error("socket group '" + group_ + "' does not exist");
        gid = g->gr_gid;
    }
    sys::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) throw failure("cannot create a socket", errno);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
    // The file gets its mode from the umask at bind: no chmod after, which would follow a
    // symlink put in its place meanwhile. (The umask is the process's: nothing else
    // creates files while the loop thread is here.)
    mode_t saved = ::umask(static_cast<mode_t>(~mode_ & 0777));
    int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    int bind_error = errno;
    ::umask(saved);
    if (rc != 0) throw failure("cannot bind " + path_, bind_error);
    // lchown: if the socket was swapped for a symlink since bind, the link changes, not its target.
    if (gid && ::lchown(path_.c_str(), static_cast<uid_t>(-1), *gid) != 0) {
        int error = errno;
        ::unlink(path_.c_str());
        throw failure("cannot give " + path_ + " to group " + group_, error);
    }
    struct stat st {};
    if (::lstat(path_.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != ::geteuid())
        log(Priority::warning, "socket %s was replaced by something else right after it was bound", path_.c_str());
    if (::listen(fd.get(), 128) != 0) throw failure("cannot listen on " + path_, errno);
    return fd;
}

bool SocketFile::missing() const {
    struct stat st {};
    return !path_.empty() && ::lstat(path_.c_str(), &st) != 0;
}

void SocketFile::remove() const {
    if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace pcm::server
