#pragma once
// Which daemon a client means: the order in which pcmonctl looks for a socket, and how it
// explains a failure. Pure: the caller does the connecting.
#include <string>
#include <string_view>
#include <vector>

namespace pcm::client {

/// The system service's socket (pcmonitor.socket's ListenStream=).
inline constexpr std::string_view system_socket_path = "/run/pcmonitor/pcmonitor.sock";

/// Where the caller's words about the socket came from.
struct SocketChoice {
    std::string explicit_path;     ///< --socket PATH; empty: not given
    std::string environment_path;  ///< $PCMONITOR_SOCKET; empty: unset
    std::string own_daemon_path;   ///< the socket a daemon run by this user listens on
};

/// The paths to try, in order: --socket alone, else $PCMONITOR_SOCKET alone, else the
/// user's own daemon's socket and then the system service's (once, if they are the same).
std::vector<std::string> socket_candidates(const SocketChoice& choice);

/// Why connecting to a socket failed, in words for its user: `error` is connect()'s errno.
std::string connect_failure_reason(int error);

}  // namespace pcm::client
