// Load on the local socket: GET cpu requests/s and latency with 1 and 64 clients (and 64
// pipelining), next to a trivial echo server on the same socket type; and WAIT fan-out to
// 1,000 waiters. Loopback only, bounded in requests; starts its own pcmonitord.
// Usage: bench_socket_load [--json] [--smoke] [--daemon PATH]
#include <pcm/uv/handle.hpp>
#include <pcm/uv/loop.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

int connect_to(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    for (int attempt = 0; attempt < 200; ++attempt) {
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::perror(("connect " + path).c_str());
    std::exit(1);
}

// ---- the baseline: a trivial libuv echo server, one canned reply per request line ---------

class EchoServer {
public:
    explicit EchoServer(std::string path) : path_(std::move(path)) {
        thread_ = std::thread([this] { run(); });
        while (!ready_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~EchoServer() {
        uv_async_send(stop_);  // wakes the loop, which then stops
        thread_.join();
    }

private:
    struct Client {
        uv_pipe_t pipe;
        char buffer[65536];
        std::string out;
    };
    static void free_client(uv_handle_t* h) { std::unique_ptr<Client> owned(static_cast<Client*>(h->data)); }
    static void on_read(uv_stream_t* stream, ssize_t n, const uv_buf_t*) {
        auto* c = static_cast<Client*>(stream->data);
        if (n < 0) {
            uv_close(reinterpret_cast<uv_handle_t*>(stream), &free_client);
            return;
        }
        static const char reply[] = "{\"ok\":true,\"pong\":true}\n";
        auto lines = std::count(c->buffer, c->buffer + n, '\n');
        c->out.clear();
        for (long i = 0; i < lines; ++i) c->out += reply;
        uv_buf_t b = uv_buf_init(c->out.data(), static_cast<unsigned>(c->out.size()));
        uv_try_write(stream, &b, 1);  // small replies to a reading peer go out at once
    }
    static void on_connection(uv_stream_t* server, int) {
        Client* c = std::make_unique<Client>().release();  // owned by its handle until free_client
        uv_pipe_init(server->loop, &c->pipe, 0);
        c->pipe.data = c;
        uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->pipe));
        uv_read_start(
            reinterpret_cast<uv_stream_t*>(&c->pipe),
            [](uv_handle_t* h, std::size_t, uv_buf_t* b) {
                auto* cl = static_cast<Client*>(h->data);
                *b = uv_buf_init(cl->buffer, sizeof cl->buffer);
            },
            &on_read);
    }
    void run() {
        pcm::uv::Loop loop;
        {
            pcm::uv::Handle<uv_pipe_t> server(uv_pipe_init, loop.get(), 0);
            pcm::uv::Handle<uv_async_t> stop(uv_async_init, loop.get(), [](uv_async_t* a) { uv_stop(a->loop); });
            stop_ = stop.get();
            uv_pipe_bind(server.get(), path_.c_str());
            uv_listen(reinterpret_cast<uv_stream_t*>(server.get()), 256, &on_connection);
            ready_ = true;
            uv_run(loop.get(), UV_RUN_DEFAULT);
        }
    }
    std::string path_;
    std::thread thread_;
    std::atomic<bool> ready_{false};
    uv_async_t* stop_ = nullptr;
};

// ---- the reference: collectd's unixsock plugin (Debian's collectd-core), if installed --------

// A collectd with the plugins equivalent to ours (cpu, memory, disk, load, df) and unixsock,
// all files in `dir`. `ready()` is false if collectd is not installed or did not come up.
class Collectd {
public:
    static constexpr const char* binary = "/usr/sbin/collectd";
    static constexpr const char* identifier = "bench/cpu-0/cpu-idle";

    explicit Collectd(const std::filesystem::path& dir) : socket_((dir / "collectd.sock").string()) {
        if (!std::filesystem::exists(binary)) return;
        std::ofstream(dir / "collectd.conf")
            << "Hostname \"bench\"\nFQDNLookup false\nInterval 1\n"
            << "BaseDir \"" << dir.string() << "\"\nPIDFile \"" << (dir / "collectd.pid").string() << "\"\n"
            << "PluginDir \"/usr/lib/collectd\"\nTypesDB \"/usr/share/collectd/types.db\"\n"
            << "LoadPlugin cpu\nLoadPlugin memory\nLoadPlugin disk\nLoadPlugin load\n"
            << "<LoadPlugin df>\n  Interval 10\n</LoadPlugin>\nLoadPlugin unixsock\n"
            << "<Plugin unixsock>\n  SocketFile \"" << socket_ << "\"\n</Plugin>\n";
        pid_ = ::fork();
        if (pid_ == 0) {
            int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, STDERR_FILENO);
            ::execl(binary, binary, "-f", "-C", (dir / "collectd.conf").c_str(), nullptr);
            ::_exit(127);
        }
        // Up once a GETVAL finds the first CPU reading (collectd needs two to make a rate).
        for (int attempt = 0; attempt < 50 && !ready_; ++attempt) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            ready_ = getval_answers();
        }
        if (!ready_) std::fprintf(stderr, "collectd did not come up: its rows are left out\n");
    }
    ~Collectd() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }
    bool ready() const noexcept { return ready_; }
    const std::string& socket() const noexcept { return socket_; }
    std::string request() const { return std::string("GETVAL \"") + identifier + "\"\n"; }

private:
    bool getval_answers() const {
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, socket_.c_str(), sizeof a.sun_path - 1);
        bool ok = false;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
            std::string r = request();
            (void)!::write(fd, r.data(), r.size());
            char reply[256] = {};
            ok = ::read(fd, reply, sizeof reply - 1) > 0 && std::strncmp(reply, "1 Value", 7) == 0;
        }
        ::close(fd);
        return ok;
    }
    std::string socket_;
    pid_t pid_ = -1;
    bool ready_ = false;
};

// ---- the load generator ---------------------------------------------------------------------

struct Result {
    double requests_per_s = 0, p50_us = 0, p99_us = 0;
    std::uint64_t requests = 0;
};

// `clients` connections, each keeping `depth` requests in flight, until `total` replies of
// `lines_per_reply` lines each. A spinning client polls without sleeping, which takes its
// own wake-up (a constant added to every server's round trip) out of the figure.
Result load(const std::string& path, int clients, int depth, std::uint64_t total, const std::string& request,
            int lines_per_reply, bool spin) {
    std::vector<int> fds;
    for (int i = 0; i < clients; ++i) fds.push_back(connect_to(path));
    std::string batch;
    for (int i = 0; i < depth; ++i) batch += request;
    std::vector<Clock::time_point> sent(clients);
    std::vector<int> awaiting(clients, 0), lines(clients, 0);
    std::vector<double> latencies;
    latencies.reserve(total / depth + clients);
    std::vector<pollfd> polls(clients);
    char buffer[1 << 16];
    std::uint64_t done = 0, issued = 0;
    auto start = Clock::now();
    for (int i = 0; i < clients && issued < total; ++i) {
        sent[i] = Clock::now();
        (void)!::write(fds[i], batch.data(), batch.size());
        awaiting[i] = depth;
        issued += depth;
    }
    while (done < total) {
        for (int i = 0; i < clients; ++i) polls[i] = {fds[i], static_cast<short>(awaiting[i] ? POLLIN : 0), 0};
        ::poll(polls.data(), polls.size(), spin ? 0 : 1000);
        for (int i = 0; i < clients; ++i) {
            if (!(polls[i].revents & POLLIN)) continue;
            ssize_t n = ::read(fds[i], buffer, sizeof buffer);
            if (n <= 0) std::exit(1);
            lines[i] += static_cast<int>(std::count(buffer, buffer + n, '\n'));
            int replies = lines[i] / lines_per_reply;
            lines[i] %= lines_per_reply;
            awaiting[i] -= replies;
            done += replies;
            if (awaiting[i] == 0) {
                latencies.push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent[i]).count());
                if (issued < total) {
                    sent[i] = Clock::now();
                    (void)!::write(fds[i], batch.data(), batch.size());
                    awaiting[i] = depth;
                    issued += depth;
                }
            }
        }
    }
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (int fd : fds) ::close(fd);
    std::sort(latencies.begin(), latencies.end());
    return {static_cast<double>(done) / seconds, latencies[latencies.size() / 2],
            latencies[latencies.size() * 99 / 100], done};
}

json ask(const std::string& path, const std::string& request) {
    int fd = connect_to(path);
    (void)!::write(fd, request.data(), request.size());
    std::string reply;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n') reply += c;
    ::close(fd);
    return json::parse(reply);
}

// Reads one '\n'-terminated reply from each of `fds` through one epoll set; when the first
// and the last reply were complete. The same reader serves the daemon and the floor.
struct Arrivals {
    Clock::time_point first{}, last{};
    std::string sample_reply;
};
Arrivals read_one_reply_each(const std::vector<int>& fds) {
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    for (std::size_t i = 0; i < fds.size(); ++i) {
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
    }
    std::vector<std::string> replies(fds.size());
    std::size_t remaining = fds.size();
    Arrivals a;
    std::vector<epoll_event> events(256);
    char buffer[1 << 16];
    while (remaining > 0) {
        int ready = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 5000);
        if (ready <= 0) std::exit(1);
        for (int k = 0; k < ready; ++k) {
            std::size_t i = events[k].data.u64;
            ssize_t n = ::read(fds[i], buffer, sizeof buffer);
            if (n <= 0) std::exit(1);
            replies[i].append(buffer, n);
            if (replies[i].back() != '\n') continue;
            ::epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], nullptr);
            --remaining;
            a.last = Clock::now();
            if (a.first == Clock::time_point{}) a.first = a.last;
        }
    }
    ::close(ep);
    a.sample_reply = std::move(replies[0]);
    return a;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

struct FanOut {
    double daemon_ms = 0, client_first_to_last_ms = 0;
    std::uint64_t fanned_out = 0, sources_created = 0;
    std::size_t reply_bytes = 0;
};

// `waiters` connections each send WAIT cpu at once. The daemon reports (STATS) how long it
// took from the sample being ready to the last reply handed to the kernel; the client sees
// when the first and last replies arrived; the pool tells how many new sources the round made.
FanOut fan_out(const std::string& path, int waiters) {
    json before = ask(path, "STATS\n")["stats"];
    std::vector<int> fds;
    for (int i = 0; i < waiters; ++i) fds.push_back(connect_to(path));
    for (int fd : fds) (void)!::write(fd, "WAIT cpu\n", 9);
    Arrivals a = read_one_reply_each(fds);
    for (int fd : fds) ::close(fd);
    json after = ask(path, "STATS\n")["stats"];
    json last = after["groups"]["cpu"]["last_fan_out"];
    return {
        last["us"].get<double>() / 1e3, ms_between(a.first, a.last), last["waiters"].get<std::uint64_t>(),
        after["waiter_pool"]["created"].get<std::uint64_t>() - before["waiter_pool"]["created"].get<std::uint64_t>(),
        a.sample_reply.size()};
}

// The floor under any fan-out: `n` plain write() calls of a `bytes`-long reply, one per
// socketpair, read by the same client code on another thread.
struct Floor {
    double writer_ms = 0, client_first_to_last_ms = 0;
};
Floor write_floor(int n, std::size_t bytes) {
    std::vector<int> ours, theirs;
    for (int i = 0; i < n; ++i) {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) std::exit(1);
        ours.push_back(sv[0]);
        theirs.push_back(sv[1]);
    }
    std::string reply(bytes - 1, 'x');
    reply += '\n';
    Arrivals a;
    std::thread client([&] { a = read_one_reply_each(theirs); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the client is in epoll_wait
    auto start = Clock::now();
    for (int fd : ours) (void)!::write(fd, reply.data(), reply.size());
    auto written = Clock::now();
    client.join();
    for (int fd : ours) ::close(fd);
    for (int fd : theirs) ::close(fd);
    return {ms_between(start, written), ms_between(a.first, a.last)};
}

void row(bool as_json, const std::string& name, const std::string& figure, double value, const std::string& unit) {
    if (as_json)
        std::printf("%s\n", json{{"name", name}, {"figure", figure}, {"value", value}, {"unit", unit}}.dump().c_str());
    else std::printf("%-46s %-20s %12.1f %s\n", name.c_str(), figure.c_str(), value, unit.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    bool as_json = false, smoke = false;
    std::string daemon = "build/daemon/pcmonitord";
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0) as_json = true;
        else if (std::strcmp(argv[i], "--daemon") == 0 && i + 1 < argc) daemon = argv[++i];
        else if (std::strcmp(argv[i], "--smoke") == 0) smoke = true;  // tiny counts: does it run at all
        else {
            std::fprintf(stderr, "usage: %s [--json] [--smoke] [--daemon PATH]\n", argv[0]);
            return 2;
        }
    }
    rlimit files{4096, 4096};
    ::setrlimit(RLIMIT_NOFILE, &files);
    ::signal(SIGPIPE, SIG_IGN);

    char dir_template[] = "/tmp/pcm-bench-XXXXXX";
    std::filesystem::path dir = ::mkdtemp(dir_template);
    std::string socket = (dir / "pcm.sock").string(), echo_socket = (dir / "echo.sock").string();
    std::ofstream(dir / "bench.json")
        << R"({"sampling":{"cpu":{"interval_ms":100},"filesystem":{"interval_ms":60000}},
        "socket":{"path":")"
        << socket << R"("},"limits":{"max_clients":2000,"max_waiters":4096},"log":{"level":"warning"}})";
    pid_t pid = ::fork();
    if (pid == 0) {
        ::execl(daemon.c_str(), daemon.c_str(), "--config", (dir / "bench.json").c_str(), nullptr);
        std::perror(daemon.c_str());
        ::_exit(127);
    }
    EchoServer echo(echo_socket);
    ::close(connect_to(socket));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // first samples in

    const std::uint64_t n1 = smoke ? 200 : 20'000, n64 = smoke ? 640 : 200'000;
    if (!as_json) std::printf("%-46s %-20s %12s %s\n", "case", "figure", "value", "unit");
    struct Case {
        std::string name, path, request;
        int clients, depth;
        std::uint64_t total;
        int lines_per_reply = 1;
        bool spin = false;
    };
    std::vector<Case> cases = {
        {"echo server, 1 client", echo_socket, "PING\n", 1, 1, n1},
        {"GET cpu, 1 client", socket, "GET cpu\n", 1, 1, n1},
        {"echo server, 1 spinning client", echo_socket, "PING\n", 1, 1, n1, 1, true},
        {"GET cpu, 1 spinning client", socket, "GET cpu\n", 1, 1, n1, 1, true},
        {"echo server, 64 clients", echo_socket, "PING\n", 64, 1, n64},
        {"GET cpu, 64 clients", socket, "GET cpu\n", 64, 1, n64},
        {"GET cpu, 64 clients pipelining 16", socket, "GET cpu\n", 64, 16, n64 * 2},
    };
    Collectd collectd(dir);
    if (collectd.ready()) {  // GETVAL's reply is two lines: "1 Value found", "value=..."
        cases.insert(cases.begin() + 2,
                     {"collectd unixsock GETVAL, 1 client", collectd.socket(), collectd.request(), 1, 1, n1, 2});
        cases.insert(cases.begin() + 5, {"collectd unixsock GETVAL, 1 spinning client", collectd.socket(),
                                         collectd.request(), 1, 1, n1, 2, true});
        cases.push_back(
            {"collectd unixsock GETVAL, 64 clients", collectd.socket(), collectd.request(), 64, 1, n64 / 4, 2});
    }
    for (const Case& c : cases) {
        Result r = load(c.path, c.clients, c.depth, c.total, c.request, c.lines_per_reply, c.spin);
        row(as_json, c.name, "requests/s", r.requests_per_s, "req/s");
        row(as_json, c.name, c.depth > 1 ? "p50 per batch" : "p50 latency", r.p50_us, "us");
        row(as_json, c.name, c.depth > 1 ? "p99 per batch" : "p99 latency", r.p99_us, "us");
    }
    int waiters = smoke ? 50 : 1000;
    std::size_t reply_bytes = 0;
    for (int round = 1; round <= 2; ++round) {
        FanOut f = fan_out(socket, waiters);
        reply_bytes = f.reply_bytes;
        std::string name = "WAIT fan-out, " + std::to_string(waiters) + " waiters, round " + std::to_string(round);
        row(as_json, name, "daemon: sample to last reply written", f.daemon_ms, "ms (from STATS)");
        row(as_json, name, "waiters in that fan-out", static_cast<double>(f.fanned_out), "");
        row(as_json, name, "client: first to last reply", f.client_first_to_last_ms, "ms");
        row(as_json, name, "new pooled sources", static_cast<double>(f.sources_created), "");
    }
    Floor floor = write_floor(waiters, reply_bytes);
    std::string name = "floor: " + std::to_string(waiters) + " write() calls, one per socketpair";
    row(as_json, name, "writer: first to last write", floor.writer_ms, "ms");
    row(as_json, name, "client: first to last reply", floor.client_first_to_last_ms, "ms");
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
    std::filesystem::remove_all(dir);
}
