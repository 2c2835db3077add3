#pragma once
// The two systemd protocols the daemon speaks, from their documented wire formats:
// readiness notification (a datagram to $NOTIFY_SOCKET) and socket activation
// ($LISTEN_FDS descriptors from fd 3). Outside systemd both do nothing.
#include <pcm/sys/unique_fd.hpp>

#include <sys/un.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace pcm::daemon {

/// Sends state changes to the service manager ("READY=1", "STATUS=...", "WATCHDOG=1"...).
class Notifier {
public:
    /// From $NOTIFY_SOCKET: a path, or an abstract name written "@name". Unset: inactive.
    static Notifier from_environment();

    bool active() const noexcept { return static_cast<bool>(fd_); }

    /// Sends one datagram of newline-separated KEY=VALUE lines; false if it failed
    /// (nothing is retried: notification is advisory).
    bool send(std::string_view message) const noexcept;

    /// Half of $WATCHDOG_USEC when the watchdog is on for this process ($WATCHDOG_PID, if
    /// set, must be ours), else zero: how often to send WATCHDOG=1.
    static std::chrono::microseconds watchdog_period();

private:
    sys::UniqueFd fd_;
    sockaddr_un address_{};
    socklen_t length_ = 0;
};

/// A descriptor passed by the service manager, with its name ($LISTEN_FDNAMES, or "unknown").
struct PassedSocket {
    int fd;
    std::string name;
};

/// The sockets passed to this process: fds 3 .. 3 + $LISTEN_FDS - 1, if $LISTEN_PID is
/// our pid. The variables are then removed, so that they are not passed on. The fds are
/// marked close-on-exec.
std::vector<PassedSocket> take_passed_sockets();

/// True if `fd` is a listening Unix-domain stream socket.
bool is_unix_stream_listener(int fd) noexcept;

}  // namespace pcm::daemon
