#include <pcm/client/socket_discovery.hpp>

#include <cerrno>
#include <cstring>

namespace pcm::client {

std::vector<std::string> socket_candidates(const SocketChoice& choice) {
    if (!choice.explicit_path.empty()) return {choice.explicit_path};
    if (!choice.environment_path.empty()) return {choice.environment_path};
    std::vector<std::string> paths;
    if (!choice.own_daemon_path.empty()) paths.push_back(choice.own_daemon_path);
    if (choice.own_daemon_path != system_socket_path) paths.emplace_back(system_socket_path);
    return paths;
}

std::string connect_failure_reason(int error) {
    switch (error) {
        case ENOENT: return "absent (no daemon has created it)";
        case EACCES:
        case EPERM: return "Permission denied (are you in group pcmonitor?)";
        case ECONNREFUSED: return "nothing listens on it (a stale socket)";
        case ENOTDIR: return "a component of the path is not a directory";
        case ENAMETOOLONG: return "path too long for a Unix socket";
        default: return std::strerror(error);
    }
}

}  // namespace pcm::client
