// CPU time and latency per /metrics scrape, and RSS, of pcmonitord and of node_exporter
// with the same collectors (cpu, meminfo, diskstats, filesystem, loadavg, pressure, stat,
// uname, time, vmstat, netdev, netclass, netstat, sockstat, softnet, conntrack, arp,
// udp_queues, filefd, entropy, timex, os, selinux),
// in one run, on loopback. CPU is each process's schedstat (all threads, nanoseconds).
// Usage: bench_scrape [--json] [--daemon PATH] [--scrapes N]
#include "http_client.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

// One GET over HTTP/1.0; the body length, or -1.
long scrape(int port) {
    pcm::test::HttpReply reply = pcm::test::http_get(port, "/metrics");
    return reply.status == 200 ? static_cast<long>(reply.body.size()) : -1;
}

double cpu_seconds(pid_t pid) {
    double ns = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
        std::ifstream in(task.path() / "schedstat");
        double run = 0;
        in >> run;
        ns += run;
    }
    return ns / 1e9;
}

long rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

pid_t spawn(const std::vector<std::string>& argv) {
    pid_t pid = ::fork();
    if (pid == 0) {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::freopen("/dev/null", "w", stderr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

struct Figures {
    double cpu_ms_per_scrape, p50_ms, p99_ms;
    long rss_kib, bytes;
};

Figures measure(pid_t pid, int port, int scrapes) {
    for (int i = 0; i < 200 && scrape(port) < 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (int i = 0; i < 5; ++i) scrape(port);  // warm
    std::vector<double> latencies;
    long bytes = 0;
    double cpu_before = cpu_seconds(pid);
    for (int i = 0; i < scrapes; ++i) {
        auto start = std::chrono::steady_clock::now();
        bytes = scrape(port);
        latencies.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    double cpu = cpu_seconds(pid) - cpu_before;
    std::sort(latencies.begin(), latencies.end());
    return {cpu * 1000 / scrapes, latencies[latencies.size() / 2], latencies[latencies.size() * 99 / 100], rss_kib(pid),
            bytes};
}

}  // namespace

int main(int argc, char** argv) {
    bool json = false;
    int scrapes = 300;
    std::string daemon = "build/daemon/pcmonitord";
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--json") json = true;
        else if (a == "--daemon" && i + 1 < argc) daemon = argv[++i];
        else if (a == "--scrapes" && i + 1 < argc) scrapes = std::max(10, std::atoi(argv[++i]));
        else {
            std::fprintf(stderr, "usage: %s [--json] [--daemon PATH] [--scrapes N]\n", argv[0]);
            return 2;
        }
    }
    char dir_template[] = "/tmp/pcm-scrape-XXXXXX";
    std::filesystem::path dir = ::mkdtemp(dir_template);
    int ours_port = pcm::test::free_port(), theirs_port = pcm::test::free_port();
    std::ofstream(dir / "c.json") << R"({"socket":{"path":")" << (dir / "s.sock").string()
                                  << R"("},"http":{"listen":"127.0.0.1:)" << ours_port << R"("}})";
    pid_t ours = spawn({daemon, "--config", (dir / "c.json").string()});
    pid_t theirs = spawn({"/usr/bin/prometheus-node-exporter",
                          "--web.listen-address=127.0.0.1:" + std::to_string(theirs_port),
                          "--collector.disable-defaults",
                          "--collector.cpu",
                          "--collector.meminfo",
                          "--collector.diskstats",
                          "--collector.filesystem",
                          "--collector.loadavg",
                          "--collector.pressure",
                          "--collector.stat",
                          "--collector.uname",
                          "--collector.time",
                          "--collector.vmstat",
                          "--collector.netdev",
                          "--collector.netclass",
                          "--collector.netstat",
                          "--collector.sockstat",
                          "--collector.softnet",
                          "--collector.conntrack",
                          "--collector.arp",
                          "--collector.udp_queues",
                          "--collector.filefd",
                          "--collector.entropy",
                          "--collector.timex",
                          "--collector.os",
                          "--collector.selinux"});
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    Figures a = measure(ours, ours_port, scrapes);
    Figures b = measure(theirs, theirs_port, scrapes);
    ::kill(ours, SIGTERM);
    ::kill(theirs, SIGTERM);
    ::waitpid(ours, nullptr, 0);
    ::waitpid(theirs, nullptr, 0);
    std::filesystem::remove_all(dir);

    auto row = [&](const char* who, const Figures& f) {
        if (json)
            std::printf("%s\n", nlohmann::json{{"name", who},
                                               {"cpu_ms_per_scrape", f.cpu_ms_per_scrape},
                                               {"p50_ms", f.p50_ms},
                                               {"p99_ms", f.p99_ms},
                                               {"rss_kib", f.rss_kib},
                                               {"bytes", f.bytes}}
                                    .dump()
                                    .c_str());
        else
            std::printf("%-34s %14.3f %10.3f %10.3f %10ld %9ld\n", who, f.cpu_ms_per_scrape, f.p50_ms, f.p99_ms,
                        f.rss_kib, f.bytes);
    };
    if (!json)
        std::printf("%-34s %14s %10s %10s %10s %9s\n", "exporter", "cpu ms/scrape", "p50 ms", "p99 ms", "RSS KiB",
                    "bytes");
    row("pcmonitord", a);
    row("prometheus-node-exporter 1.5", b);
    if (!json)
        std::printf("\nnode_exporter / pcmonitord: %.1fx the CPU per scrape, %.1fx the RSS\n",
                    b.cpu_ms_per_scrape / a.cpu_ms_per_scrape,
                    static_cast<double>(b.rss_kib) / static_cast<double>(a.rss_kib));
}
