#pragma once
// The local socket's file: made safely, checked, made again, removed.
#include <pcm/sys/unique_fd.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace pcm::server {

/// Where a listening Unix socket lives and how it is made. Nothing here follows a symbolic
/// link put in the socket's place: the mode comes from the umask at `bind`, the group from
/// `lchown`.
class SocketFile {
public:
    SocketFile() = default;
    SocketFile(std::string path, std::uint32_t mode, std::string group)
        : path_(std::move(path)), mode_(mode), group_(std::move(group)) {}

    /// Binds and listens; returns the listening descriptor (non-blocking). Refuses, with
    /// the reason, a path that is empty or too long, a directory another user owns or can
    /// write to without the sticky bit (as OpenSSH's StrictModes), something that is not a
    /// socket in the way, a socket another daemon answers on, and an unknown group; a stale
    /// socket (nobody answers) is replaced. Throws std::runtime_error.
    sys::UniqueFd bind() const;

    const std::string& path() const noexcept { return path_; }
    bool empty() const noexcept { return path_.empty(); }
    /// True when the file is not there any more (someone deleted it or its directory).
    bool missing() const;
    /// Removes the file (at a clean exit).
    void remove() const;

private:
    std::string path_;
    std::uint32_t mode_ = 0660;
    std::string group_;
};

}  // namespace pcm::server
