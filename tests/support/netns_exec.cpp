// Test helper: runs a command in a network namespace of its own whose TCP buffers are
// small, so that a reply of a few megabytes cannot hide in kernel buffers and a client
// that does not read really blocks the writer. Needs CAP_SYS_ADMIN (root).
//
// Usage: pcm_netns_exec PROGRAM [ARGS...]
// Exit codes: 77 when the namespace cannot be made (not root, or not allowed here).
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace {

bool loopback_up() {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    bool up = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0;
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    up = up && ::ioctl(fd, SIOCSIFFLAGS, &request) == 0;
    ::close(fd);
    return up;
}

bool write_sysctl(const char* path, const char* value) {
    std::ofstream out(path);
    out << value;
    return static_cast<bool>(out.flush());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    if (::unshare(CLONE_NEWNET) != 0) {
        std::fprintf(stderr, "pcm_netns_exec: unshare(CLONE_NEWNET): %s\n", std::strerror(errno));
        return 77;
    }
    // Per network namespace since Linux 4.15: min, default, max bytes per socket.
    if (!loopback_up() || !write_sysctl("/proc/sys/net/ipv4/tcp_wmem", "4096 16384 65536") ||
        !write_sysctl("/proc/sys/net/ipv4/tcp_rmem", "4096 16384 65536")) {
        std::fprintf(stderr, "pcm_netns_exec: cannot set up the namespace's loopback and buffers\n");
        return 77;
    }
    ::execv(argv[1], argv + 1);
    std::fprintf(stderr, "pcm_netns_exec: cannot run %s: %s\n", argv[1], std::strerror(errno));
    return 127;
}
