// Churn against a daemon sampling every 10 ms: for PCM_SOAK_SECONDS (default 20) eight
// threads open short-lived clients that pipeline requests, subscribe, WAIT with timeouts,
// send garbage and hang up abruptly. Afterwards RSS is back near its warm level, no file
// descriptor is left behind, the waiter pool balances, every WAIT that was read got exactly
// one reply, and the sample count matches the elapsed time. Loopback only, bounded in time.
#include "../async/wait.hpp"
#include "fixture.hpp"
#include "running_daemon.hpp"
#include "unix_client.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
using pcm::test::UnixClient;

namespace {

long rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

long open_fds(pid_t pid) {
    long n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
        ++n;
    return n;
}

}  // namespace

TEST_CASE("soak: hundreds of clients churn for a while; nothing leaks, nothing is lost") {
    const char* env = std::getenv("PCM_SOAK_SECONDS");
    const auto duration = std::chrono::seconds(env ? std::atoi(env) : 20);
    pcm::test::RunningDaemon d;
    d.start(R"({"sampling":{"cpu":{"interval_ms":10},"memory":{"interval_ms":10},
        "disk":{"interval_ms":10},"filesystem":{"interval_ms":500,"statfs_timeout_ms":200}},
        "socket":{"path":")" +
            d.socket + R"("},"limits":{"max_clients":300,"output_queue_bytes":65536}})");
    const std::string& socket = d.socket;
    const pid_t pid = d.process->pid();
    auto stats = [&] { return d.ask("STATS")["stats"]; };
    // Warm: 200 cpu samples taken, buffers grown, pool filled.
    pcm::test::wait_until([&] { return stats()["groups"]["cpu"]["samples"].get<int>() >= 200; }, "200 warm-up samples");
    {
        UnixClient c(socket);
        c.send(std::string(100, 'x') + "\nSUBSCRIBE cpu\nWAIT cpu 50\n");
        c.line();
        c.line();
        c.line();
    }
    // Settled: only the asking client is connected, no WAIT is pending.
    auto settled = [&] {
        json s = stats();
        return s["clients"] == 1 && s["waiter_pool"]["in_use"] == 0;
    };
    pcm::test::wait_until(settled, "the warm-up client to be gone");
    json before = stats();
    // The descriptors of an idle daemon, counted while one probe is its only client (its
    // STATS says so), minus that probe's; then waited for once the probe hangs up.
    long fds_warm = 0;
    pcm::test::wait_until(
        [&] {
            UnixClient probe(socket);
            probe.send("STATS\n");
            auto line = probe.line();
            if (!line || json::parse(*line)["stats"]["clients"] != 1) return false;
            fds_warm = open_fds(pid) - 1;
            return true;
        },
        "a moment with one client");
    pcm::test::wait_until([&] { return open_fds(pid) <= fds_warm; }, "the probe's descriptor to be closed");
    long rss_warm = rss_kib(pid);
    auto start = std::chrono::steady_clock::now();

    std::atomic<std::uint64_t> requests{0}, waits_read{0}, waits_answered_once{0}, abrupt{0}, problems{0};
    auto worker = [&](unsigned seed) {
        std::minstd_rand rng(seed);
        while (std::chrono::steady_clock::now() - start < duration) {
            UnixClient c(socket);
            if (!c.connected()) {
                ++problems;
                continue;
            }
            switch (rng() % 6) {
                case 0: {  // pipelined requests, read in order
                    c.send("PING\nGET cpu\nHISTORY memory 1\nSTATS\nGET all\n");
                    for (int i = 0; i < 5; ++i) problems += !c.line();
                    requests += 5;
                    break;
                }
                case 1: {  // a WAIT read to the end: exactly one reply, then the connection still works
                    c.send("WAIT cpu " + std::to_string(20 + rng() % 80) + "\nPING\n");
                    ++waits_read;
                    auto reply = c.line();
                    auto pong = c.line();
                    bool once = reply && pong && pong->find("pong") != std::string::npos;
                    waits_answered_once += once;
                    problems += !once;
                    requests += 2;
                    break;
                }
                case 2:  // WAIT on the slow group, then hang up
                    c.send("WAIT filesystem\n");
                    ++abrupt;
                    break;
                case 3: {  // subscribe, read a few, hang up mid-stream
                    c.send("SUBSCRIBE memory\n");
                    for (int i = 0; i < 3; ++i) problems += !c.line();
                    ++abrupt;
                    break;
                }
                case 4:  // garbage and an oversized line
                    c.send("\x01\x02\x03\nFROB\n" + std::string(5000, 'A') + "\n");
                    c.closed_by_peer(2s);
                    break;
                default:  // connect and vanish
                    ++abrupt;
                    break;
            }
        }
    };
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < 8; ++t) threads.emplace_back(worker, t + 1);
    for (auto& t : threads) t.join();
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Hung-up WAITs end at the next filesystem sample at the latest.
    pcm::test::wait_until(settled, "every client gone and every WAIT ended");
    json after = stats();
    long rss_after = rss_kib(pid);
    // No descriptor left behind: back to the idle count once the STATS connections close.
    long fds_after = open_fds(pid);
    pcm::test::wait_until([&] { return (fds_after = open_fds(pid)) <= fds_warm; }, "the descriptors to come back",
                          std::chrono::seconds(10));
    MESSAGE("soak ", elapsed, " s: ", requests.load(), " requests, ", waits_read.load(), " WAITs read, ", abrupt.load(),
            " abrupt hang-ups; RSS ", rss_warm, " -> ", rss_after, " KiB; fds ", fds_warm, " -> ", fds_after);
    CHECK(problems == 0);
    CHECK(waits_answered_once == waits_read);
    CHECK(fds_after <= fds_warm);
    CHECK(rss_after <= rss_warm + rss_warm / 20 + 512);  // within 5 % (and half a MiB of allocator slack)
    json pool = after["waiter_pool"];
    CHECK(pool["in_use"] == 0);
    CHECK(pool["rented"] == pool["returned"]);
    CHECK(after["clients"] == 1);  // the STATS client itself
    double samples = after["groups"]["cpu"]["samples"].get<double>() - before["groups"]["cpu"]["samples"].get<double>();
    // Every 10 ms deadline was sampled or, when the loop came late, counted as skipped:
    // none lost or added, whatever the churn and the machine's load.
    double skipped =
        after["groups"]["cpu"]["skipped_ticks"].get<double>() - before["groups"]["cpu"]["skipped_ticks"].get<double>();
    CHECK(samples + skipped >= elapsed * 100 - 2);
}  // the daemon is stopped with SIGTERM here and must exit 0
