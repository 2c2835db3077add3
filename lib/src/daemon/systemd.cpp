#include <pcm/daemon/systemd.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace pcm::daemon {

Notifier Notifier::from_environment() {
    Notifier n;
    const char* where = std::getenv("NOTIFY_SOCKET");
    if (where == nullptr || (where[0] != '/' && where[0] != '@')) return n;
    std::size_t size = std::strlen(where);
    if (size >= sizeof n.address_.sun_path) return n;
    n.address_.sun_family = AF_UNIX;
    std::memcpy(n.address_.sun_path, where, size);
    if (where[0] == '@') n.address_.sun_path[0] = '\0';  // abstract namespace: no trailing NUL counted
    n.length_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + size + (where[0] == '@' ? 0 : 1));
    n.fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    return n;
}

bool Notifier::send(std::string_view message) const noexcept {
    if (!fd_) return false;
    return ::sendto(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(&address_), length_) == static_cast<ssize_t>(message.size());
}

std::chrono::microseconds Notifier::watchdog_period() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (usec == nullptr) return {};
    if (const char* pid = std::getenv("WATCHDOG_PID"); pid != nullptr && std::atol(pid) != ::getpid()) return {};
    long long value = std::atoll(usec);
    return std::chrono::microseconds(value > 0 ? value / 2 : 0);
}

std::vector<PassedSocket> take_passed_sockets() {
    std::vector<PassedSocket> sockets;
    const char* pid = std::getenv("LISTEN_PID");
    const char* count = std::getenv("LISTEN_FDS");
    if (pid != nullptr && count != nullptr && std::atol(pid) == ::getpid()) {
        int n = std::atoi(count);
        std::vector<std::string> names;
        if (const char* list = std::getenv("LISTEN_FDNAMES")) {
            for (std::string_view rest = list; !rest.empty();) {
                std::size_t colon = std::min(rest.find(':'), rest.size());
                names.emplace_back(rest.substr(0, colon));
                rest.remove_prefix(std::min(colon + 1, rest.size()));
            }
        }
        for (int i = 0; i < n; ++i) {
            int fd = 3 + i;
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
            sockets.push_back(
                {fd, i < static_cast<int>(names.size()) ? names[static_cast<std::size_t>(i)] : "unknown"});
        }
    }
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
    return sockets;
}

bool is_unix_stream_listener(int fd) noexcept {
    int type = 0, listening = 0;
    sockaddr_storage address{};
    socklen_t size = sizeof type, address_size = sizeof address;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) != 0 || type != SOCK_STREAM) return false;
    size = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || !listening) return false;
    return ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_size) == 0 && address.ss_family == AF_UNIX;
}

}  // namespace pcm::daemon
