// Plays the service manager: a notification socket (abstract and path), a pre-bound
// listening socket passed as fd 3 with LISTEN_FDS/LISTEN_PID, a watchdog, and signals.
#include "fixture.hpp"
#include "unix_client.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using pcm::test::TempDir;
using pcm::test::UnixClient;

namespace {

const std::string daemon_path = PCM_DAEMON;

int bound_socket(int type, const std::string& name, bool abstract) {
    int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path + (abstract ? 1 : 0), name.data(), name.size());
    // One byte more either way: the leading NUL of an abstract name, or a path's trailing NUL.
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), len) == 0);
    return fd;
}

// The datagrams the daemon sends, one per message.
struct Notifications {
    int fd;
    std::vector<std::string> received;

    /// Waits until a message containing `text` arrives; false after `limit`.
    bool wait_for(const std::string& text, std::chrono::milliseconds limit = 10s) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        for (const auto& m : received)
            if (m.find(text) != std::string::npos) return true;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) != 1) continue;
            char buffer[4096];
            ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) continue;
            received.emplace_back(buffer, static_cast<std::size_t>(n));
            if (received.back().find(text) != std::string::npos) return true;
        }
        return false;
    }
    std::size_t count(const std::string& text) const {
        std::size_t n = 0;
        for (const auto& m : received) n += m.find(text) != std::string::npos;
        return n;
    }
    std::size_t index_of(const std::string& text, std::size_t from = 0) const {
        for (std::size_t i = from; i < received.size(); ++i)
            if (received[i].find(text) != std::string::npos) return i;
        return received.size();
    }
};

pid_t start_activated(int listener, const std::string& notify, const TempDir& dir) {
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(listener, 3);  // dup2 clears close-on-exec on fd 3
        int err = ::open((dir.path() / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(err, 2);
        std::string listen_pid = "LISTEN_PID=" + std::to_string(::getpid());
        std::string notify_socket = "NOTIFY_SOCKET=" + notify;
        std::string socket_path = (dir.path() / "unused.sock").string();
        char* env[] = {
            listen_pid.data(),    const_cast<char*>("LISTEN_FDS=1"),         const_cast<char*>("LISTEN_FDNAMES=query"),
            notify_socket.data(), const_cast<char*>("WATCHDOG_USEC=200000"), nullptr};
        ::execle(daemon_path.c_str(), daemon_path.c_str(), "--socket", socket_path.c_str(), nullptr, env);
        ::_exit(127);
    }
    return pid;
}

int wait_exit(pid_t pid, std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        std::this_thread::sleep_for(10ms);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
}

void play_service_manager(bool abstract_notify) {
    TempDir dir;
    std::string notify_name =
        abstract_notify ? "pcm-test-notify-" + std::to_string(::getpid()) : (dir.path() / "notify").string();
    Notifications notes{bound_socket(SOCK_DGRAM, notify_name, abstract_notify), {}};
    std::string query = (dir.path() / "query.sock").string();
    int listener = bound_socket(SOCK_STREAM, query, false);
    REQUIRE(::listen(listener, 16) == 0);

    pid_t pid = start_activated(listener, (abstract_notify ? "@" : "") + notify_name, dir);
    ::close(listener);

    REQUIRE(notes.wait_for("READY=1"));
    {  // READY=1 came once the passed socket answers and first samples are in
        UnixClient c(query);
        REQUIRE(c.connected());
        c.send("PING\nGET cpu\n");
        CHECK(c.line() == std::string(R"({"ok":true,"pong":true})"));
        auto reading = c.line();
        REQUIRE(reading);
        CHECK(reading->find(R"("sequence":0)") == std::string::npos);
    }
    CHECK(notes.received[notes.index_of("READY=1")].find("STATUS=") != std::string::npos);

    // Pings keep coming (waited for, however slow the machine). Their period, half of
    // WATCHDOG_USEC, and "one ping after a stall, not a burst" are counted exactly on a
    // manual clock in watchdog_test.cpp; here no duration is asserted.
    std::size_t before = notes.count("WATCHDOG=1");
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (notes.count("WATCHDOG=1") - before < 6 && std::chrono::steady_clock::now() < deadline)
        notes.wait_for("no such message", 50ms);
    CHECK(notes.count("WATCHDOG=1") - before >= 6);

    ::kill(pid, SIGHUP);
    REQUIRE(notes.wait_for("RELOADING=1"));
    std::size_t reloading = notes.index_of("RELOADING=1");
    CHECK(notes.wait_for("READY=1\nSTATUS=configuration reloaded"));
    CHECK(notes.index_of("STATUS=configuration reloaded") > reloading);

    ::kill(pid, SIGTERM);
    CHECK(notes.wait_for("STOPPING=1"));
    CHECK(wait_exit(pid) == 0);
    struct stat st {};
    CHECK(::stat(query.c_str(), &st) == 0);                         // a passed socket is the manager's: left in place
    CHECK(::stat((dir.path() / "unused.sock").c_str(), &st) != 0);  // and no socket of its own
    ::close(notes.fd);
}

}  // namespace

TEST_CASE("service manager protocol with a NOTIFY_SOCKET path") { play_service_manager(false); }

TEST_CASE("service manager protocol with an abstract NOTIFY_SOCKET (@name)") { play_service_manager(true); }

TEST_CASE("a passed descriptor that is not a listening Unix stream socket is refused") {
    TempDir dir;
    int datagram = bound_socket(SOCK_DGRAM, (dir.path() / "dgram").string(), false);
    pid_t pid = start_activated(datagram, (dir.path() / "nobody-listens").string(), dir);
    ::close(datagram);
    CHECK(wait_exit(pid) == 1);
    CHECK(pcm::test::read_file(dir.path() / "stderr").find("passed no listening Unix stream socket") !=
          std::string::npos);
}
