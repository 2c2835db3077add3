// Test helper: a FUSE filesystem whose statfs hangs, as a dead network mount's does.
//
//   pcm_hung_fuse MOUNT_POINT
//
// Enters a private mount namespace (so that nothing else on the machine, such as `df` in
// another test, trips over the hang), mounts itself at MOUNT_POINT as "fuse.pcmhang",
// prints "mounted" and serves the kernel's requests straight from /dev/fuse (linux/fuse.h,
// no libfuse). A process joins the namespace with `nsenter --mount=/proc/PID/ns/mnt`.
//   - statfs requests are left unanswered while hanging (the start state);
//   - SIGUSR1: answer the pending ones and every later one (1,000 blocks of 4 KiB, 400 available);
//   - SIGUSR2: hang again;
//   - SIGTERM: unmount and exit 0 (the kernel fails whatever is still pending).
// Exit 77 when this machine does not allow the mount (no /dev/fuse, not privileged).
#include <linux/fuse.h>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int cannot_mount_here = 77;

int fuse_fd = -1;

void reply(std::uint64_t unique, int error, const void* body = nullptr, std::size_t size = 0) {
    fuse_out_header header{};
    header.len = static_cast<std::uint32_t>(sizeof header + size);
    header.error = -error;
    header.unique = unique;
    std::vector<char> out(sizeof header + size);
    std::memcpy(out.data(), &header, sizeof header);
    if (size > 0) std::memcpy(out.data() + sizeof header, body, size);
    (void)!::write(fuse_fd, out.data(), out.size());  // ENOENT: the request was interrupted
}

void answer_init(const fuse_in_header& in, const char* body) {
    fuse_init_in init{};
    std::memcpy(&init, body, std::min<std::size_t>(sizeof init, in.len - sizeof in));
    fuse_init_out out{};
    out.major = FUSE_KERNEL_VERSION;
    out.minor = std::min<std::uint32_t>(init.minor, FUSE_KERNEL_MINOR_VERSION);
    out.max_readahead = init.max_readahead;
    out.max_background = 16;
    out.congestion_threshold = 12;
    out.max_write = 4096;
    out.time_gran = 1;
    reply(in.unique, 0, &out, sizeof out);
}

void answer_statfs(std::uint64_t unique) {
    fuse_statfs_out out{};
    out.st.blocks = 1000;
    out.st.bfree = 500;
    out.st.bavail = 400;
    out.st.files = 100;
    out.st.ffree = 50;
    out.st.bsize = 4096;
    out.st.frsize = 4096;
    out.st.namelen = 255;
    reply(unique, 0, &out, sizeof out);
}

void answer_getattr(std::uint64_t unique) {
    fuse_attr_out out{};
    out.attr_valid = 1;
    out.attr.ino = FUSE_ROOT_ID;
    out.attr.mode = S_IFDIR | 0755;
    out.attr.nlink = 2;
    out.attr.blksize = 4096;
    reply(unique, 0, &out, sizeof out);
}

int fail(const char* what, int code) {
    std::fprintf(stderr, "pcm_hung_fuse: %s: %s\n", what, std::strerror(errno));
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: pcm_hung_fuse MOUNT_POINT\n");
        return 2;
    }
    const char* mount_point = argv[1];
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGUSR1, SIGUSR2, SIGTERM, SIGINT}) sigaddset(&signals, s);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);

    if (::unshare(CLONE_NEWNS) != 0) return fail("unshare(CLONE_NEWNS)", cannot_mount_here);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        return fail("making / private", cannot_mount_here);
    fuse_fd = ::open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fuse_fd < 0) return fail("/dev/fuse", cannot_mount_here);
    std::string options = "fd=" + std::to_string(fuse_fd) + ",rootmode=40000,user_id=0,group_id=0";
    if (::mount("pcmhang", mount_point, "fuse.pcmhang", MS_NOSUID | MS_NODEV, options.c_str()) != 0)
        return fail("mount", cannot_mount_here);
    std::printf("mounted\n");
    std::fflush(stdout);

    bool hanging = true;
    std::vector<std::uint64_t> pending;
    std::vector<char> buffer(FUSE_MIN_READ_BUFFER + 65536);
    for (;;) {
        pollfd polls[2] = {{fuse_fd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
        if (::poll(polls, 2, -1) < 0) continue;
        if (polls[1].revents & POLLIN) {
            signalfd_siginfo info{};
            if (::read(signal_fd, &info, sizeof info) != sizeof info) continue;
            if (info.ssi_signo == SIGUSR1) {
                hanging = false;
                for (std::uint64_t unique : pending) answer_statfs(unique);
                pending.clear();
            } else if (info.ssi_signo == SIGUSR2) {
                hanging = true;
            } else {
                ::umount2(mount_point, MNT_DETACH);
                return 0;
            }
        }
        if (!(polls[0].revents & POLLIN)) continue;
        ssize_t n = ::read(fuse_fd, buffer.data(), buffer.size());
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == ENOENT)) continue;
        if (n < static_cast<ssize_t>(sizeof(fuse_in_header))) return n < 0 && errno == ENODEV ? 0 : 1;  // unmounted
        fuse_in_header in{};
        std::memcpy(&in, buffer.data(), sizeof in);
        const char* body = buffer.data() + sizeof in;
        switch (in.opcode) {
            case FUSE_INIT: answer_init(in, body); break;
            case FUSE_STATFS:
                if (hanging) pending.push_back(in.unique);
                else answer_statfs(in.unique);
                break;
            case FUSE_GETATTR: answer_getattr(in.unique); break;
            case FUSE_FORGET:
            case FUSE_BATCH_FORGET:
            case FUSE_INTERRUPT: break;  // no reply expected
            case FUSE_DESTROY: reply(in.unique, 0); return 0;
            case FUSE_LOOKUP: reply(in.unique, ENOENT); break;
            default: reply(in.unique, ENOSYS); break;
        }
    }
}
