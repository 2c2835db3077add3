// The fleet path, end to end on loopback: pcmonitord's /metrics against promtool, against
// a running node_exporter, and scraped by a real Prometheus server; bad HTTP requests.
#include "../async/wait.hpp"
#include "fixture.hpp"
#include "http_client.hpp"
#include "process.hpp"
#include "running_daemon.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <algorithm>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using pcm::test::Process;
using pcm::test::TempDir;

namespace {

// What scripts leave for the textfile collector: a good file and a broken one.
struct Textfiles {
    TempDir textfiles;
    Textfiles() {
        pcm::test::write_file(textfiles.path() / "jobs.prom",
                              "# HELP backup_jobs_total Backups run.\n"
                              "# TYPE backup_jobs_total counter\n"
                              "backup_jobs_total{kind=\"full\"} 3\n"
                              "backup_last_size_bytes 1.5e9\n");
        pcm::test::write_file(textfiles.path() / "broken.prom", "backup_jobs_total 1 2 3\n");
    }
};

struct Daemon : Textfiles, pcm::test::RunningDaemon {
    int port = pcm::test::free_port();
    Daemon() {
        start(R"({"sampling":{"cpu":{"interval_ms":200},"memory":{"interval_ms":200},"disk":{"interval_ms":200},
                  "filesystem":{"interval_ms":500,"statfs_timeout_ms":400},"network":{"interval_ms":200},"kernel":{"interval_ms":200},
                  "textfile":{"interval_ms":200,"directory":")" +
              textfiles.path().string() + R"("}},
                  "socket":{"path":")" +
              socket + R"("},"http":{"listen":"127.0.0.1:)" + std::to_string(port) + R"("}})");
    }
};

// "name{labels}" -> value, from the text format.
std::map<std::string, double> samples(const std::string& text) {
    std::map<std::string, double> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::size_t space = line.rfind(' ');
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

bool wait_http(int port, const std::string& path, std::chrono::seconds limit = 20s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pcm::test::http_get(port, path).status == 200) return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

}  // namespace

TEST_CASE("promtool finds no problem beyond the names node_exporter has too (camelCase, entropy bits)") {
    Daemon d;
    auto reply = pcm::test::http_get(d.port, "/metrics");
    REQUIRE(reply.status == 200);
    CHECK(reply.head.find("Content-Type: text/plain; version=0.0.4; charset=utf-8") != std::string::npos);
    pcm::test::write_file(d.dir.path() / "metrics.txt", reply.body);
    Process promtool({"/bin/sh", "-c", "exec promtool check metrics < " + (d.dir.path() / "metrics.txt").string()},
                     d.dir.path() / "..");
    int code = promtool.wait();
    std::string findings = promtool.out() + promtool.err();
    CHECK((code == 0 || code == 3));
    std::istringstream lines(findings);
    int camel = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        // node_exporter's own names: camelCase meminfo fields, and entropy counted in bits.
        bool camel_case = line.find("should be written in 'snake_case' not 'camelCase'") != std::string::npos;
        bool entropy_bits = line.starts_with("node_entropy_") && line.find("instead of \"bits\"") != std::string::npos;
        CHECK_MESSAGE((camel_case || entropy_bits), line);
        camel += line.starts_with("node_memory_");
    }
    MESSAGE(camel, " camelCase findings, all node_memory_* as in node_exporter");

    auto open = pcm::test::http_get(d.port, "/metrics",
                                    "Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5\r\n");
    CHECK(open.head.find("Content-Type: application/openmetrics-text; version=1.0.0") != std::string::npos);
    CHECK(open.body.ends_with("# EOF\n"));
    CHECK(pcm::test::http_get(d.port, "/healthz").body == "ok\n");
}

TEST_CASE("values agree with node_exporter's on the same machine at the same moment") {
    Daemon d;
    int port = pcm::test::free_port();
    TempDir ne_dir;
    Process exporter({"/usr/bin/prometheus-node-exporter",
                      "--web.listen-address=127.0.0.1:" + std::to_string(port),
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
                      "--collector.textfile",
                      "--collector.textfile.directory=" + d.textfiles.path().string()},
                     ne_dir.path());
    REQUIRE(wait_http(port, "/metrics"));
    // Ours before, theirs, ours after a fresh sample of every group: a counter of theirs
    // lies between ours.
    auto before = samples(pcm::test::http_get(d.port, "/metrics").body);
    auto theirs = samples(pcm::test::http_get(port, "/metrics").body);
    auto sampled_since = [&](const std::map<std::string, double>& now) {
        for (const char* g : {"cpu", "memory", "disk", "filesystem", "network", "kernel", "textfile"}) {
            std::string key = std::string("pcmonitor_samples_total{group=\"") + g + "\"}";
            if (now.at(key) <= before.at(key)) return false;
        }
        return true;
    };
    std::map<std::string, double> after;
    pcm::test::wait_until([&] { return sampled_since(after = samples(pcm::test::http_get(d.port, "/metrics").body)); },
                          [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); },
                          "a fresh sample of every group");

    REQUIRE(theirs.count("node_memory_MemTotal_bytes") == 1);
    const double mem_total = theirs["node_memory_MemTotal_bytes"];
    int compared = 0;
    for (const auto& [key, value] : theirs) {
        // Every series of these collectors node_exporter reports, we report, under the same
        // labels (for interfaces: it leaves loopback's counters out by Debian's default).
        for (const char* family :
             {"node_network_", "node_netstat_", "node_sockstat_", "node_softnet_", "node_nf_conntrack_", "node_arp_",
              "node_udp_queues", "node_filefd_", "node_entropy_", "node_timex_", "node_textfile_", "backup_"})
            if (key.starts_with(family)) CHECK_MESSAGE(before.count(key) == 1, key);
        if (!before.count(key) || !after.count(key)) continue;
        INFO(key, " ours ", before[key], "..", after[key], " node_exporter ", value);
        double lo = std::min(before[key], after[key]), hi = std::max(before[key], after[key]);
        // Instantaneous counts (node_exporter itself is running while it reads them): present, not comparable.
        // So are socket counts, which this test's own connections move (TIME_WAIT, in use),
        // and the kernel clock's error estimates, which grow between two adjtimex calls.
        if (key.starts_with("node_procs_running") || key.starts_with("node_procs_blocked") ||
            key.starts_with("node_disk_io_now") || key.starts_with("node_sockstat_") ||
            key.starts_with("node_netstat_Tcp_CurrEstab") || key.starts_with("node_filefd_allocated") ||
            key.starts_with("node_timex_maxerror") || key.starts_with("node_timex_estimated_error") ||
            key.starts_with("node_timex_offset")) {
            ++compared;
            continue;
        }
        // Each exporter's own process, and how long each took to collect: not the same thing.
        if (key.starts_with("process_") || key.starts_with("node_scrape_collector_")) continue;
        bool exact = key.starts_with("node_memory_MemTotal") || key.starts_with("node_memory_SwapTotal") ||
                     key.starts_with("node_filesystem_size_bytes") || key.starts_with("node_boot_time_seconds") ||
                     key.starts_with("node_filesystem_files{") || key.starts_with("node_filesystem_readonly") ||
                     key.starts_with("node_uname_info") || key.starts_with("node_network_info") ||
                     key.starts_with("backup_") || key.starts_with("node_textfile_") ||
                     key.starts_with("node_network_mtu_bytes") || key.starts_with("node_network_iface_id") ||
                     key.starts_with("node_network_speed_bytes") || key.starts_with("node_network_flags");
        if (key == "node_time_seconds") {  // ours is the time of its text, rendered at a sample
            CHECK(value >= lo - 1);
            CHECK(value <= hi + 1);
        } else if (exact) {
            CHECK(value == doctest::Approx(before[key]).epsilon(1e-9));
        } else {
            // Counters move between the reads; gauges (free memory, load) wander a little. The
            // memory gauges are the whole machine's, and the tests running beside this one
            // (sanitized builds start large processes) move them by megabytes in a blink: their
            // slack is a share of MemTotal, still far below any unit or field mix-up.
            double slack = std::max(0.02 * std::max(std::fabs(lo), std::fabs(hi)), 0.05);
            if (key.starts_with("node_memory_") && key.ends_with("_bytes")) slack = std::max(slack, 0.005 * mem_total);
            CHECK(value >= lo - slack);
            CHECK(value <= hi + slack);
        }
        ++compared;
    }
    MESSAGE(compared, " samples compared with node_exporter");
    // The series dashboards select a host by, with node_exporter's labels and values.
    for (const char* key : {"node_uname_info",
                            "node_time_seconds",
                            "node_filesystem_readonly",
                            "node_vmstat_pgfault",
                            "node_vmstat_pgmajfault",
                            "node_vmstat_pswpin",
                            "node_vmstat_oom_kill",
                            "node_network_receive_bytes_total",
                            "node_network_transmit_packets_total",
                            "node_network_receive_nohandler_total",
                            "node_network_up",
                            "node_network_info",
                            "node_network_carrier",
                            "node_network_mtu_bytes",
                            "node_network_transmit_queue_length",
                            "node_network_carrier_changes_total",
                            "node_network_iface_id",
                            "node_netstat_Tcp_ActiveOpens",
                            "node_netstat_TcpExt_ListenDrops",
                            "node_sockstat_TCP_tw",
                            "node_sockstat_sockets_used",
                            "node_softnet_processed_total",
                            "node_nf_conntrack_entries_limit",
                            "node_arp_entries",
                            "node_udp_queues",
                            "node_filefd_maximum",
                            "node_entropy_available_bits",
                            "node_timex_sync_status",
                            "node_timex_offset_seconds",
                            "backup_jobs_total",
                            "backup_last_size_bytes",
                            "node_textfile_mtime_seconds",
                            "node_textfile_scrape_error"}) {
        INFO(std::string(key));
        CHECK(std::any_of(theirs.begin(), theirs.end(), [&](const auto& kv) { return kv.first.starts_with(key); }));
        CHECK(std::any_of(theirs.begin(), theirs.end(),
                          [&](const auto& kv) { return kv.first.starts_with(key) && before.count(kv.first) == 1; }));
    }
    CHECK(compared > 40);
    CHECK(before.count("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}") == 1);
    exporter.signal(SIGTERM);
    exporter.wait();
}

TEST_CASE(
    "a real Prometheus server scrapes it: up == 1, node_memory_MemTotal_bytes, the dashboards' host selector and "
    "Uptime") {
    Daemon d;
    TempDir prom;
    int port = pcm::test::free_port();
    pcm::test::write_file(prom.path() / "prometheus.yml",
                          "global:\n  scrape_interval: 1s\nscrape_configs:\n"
                          "  - job_name: pcmonitor\n    static_configs:\n"
                          "      - targets: ['127.0.0.1:" +
                              std::to_string(d.port) + "']\n");
    Process server({"/usr/bin/prometheus", "--config.file=" + (prom.path() / "prometheus.yml").string(),
                    "--storage.tsdb.path=" + (prom.path() / "data").string(),
                    "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                   prom.path());
    REQUIRE(wait_http(port, "/-/ready", 30s));
    auto query = [&](const std::string& q) {
        auto reply = pcm::test::http_get(port, "/api/v1/query?query=" + q);
        return reply.status == 200 ? nlohmann::json::parse(reply.body) : nlohmann::json();
    };
    bool up = false;
    for (int i = 0; i < 100 && !up; ++i) {
        auto r = query("up%7Bjob%3D%22pcmonitor%22%7D");
        up = r.is_object() && !r["data"]["result"].empty() && r["data"]["result"][0]["value"][1] == "1";
        if (!up) std::this_thread::sleep_for(200ms);
    }
    CHECK(up);
    auto total = query("node_memory_MemTotal_bytes");
    REQUIRE(total.is_object());
    CHECK(total["data"]["result"].size() == 1);
    // The node dashboards' host selector: label_values(node_uname_info, job), which Grafana
    // asks of this endpoint; and their Uptime panel, node_time_seconds - node_boot_time_seconds.
    auto jobs = pcm::test::http_get(port, "/api/v1/label/job/values?match%5B%5D=node_uname_info");
    REQUIRE(jobs.status == 200);
    CHECK(nlohmann::json::parse(jobs.body)["data"] == nlohmann::json::array({"pcmonitor"}));
    auto uptime = query("node_time_seconds%20-%20node_boot_time_seconds");
    REQUIRE(uptime.is_object());
    REQUIRE(uptime["data"]["result"].size() == 1);
    double seconds = std::stod(uptime["data"]["result"][0]["value"][1].get<std::string>());
    std::ifstream proc_uptime("/proc/uptime");
    double real_uptime = 0;
    proc_uptime >> real_uptime;
    CHECK(seconds == doctest::Approx(real_uptime).epsilon(0.01));
    server.signal(SIGTERM);
    server.wait(20s);
}

TEST_CASE("malformed, wrong, oversized and slow requests get 4xx or a closed connection; serving goes on") {
    Daemon d;
    CHECK(pcm::test::exchange(d.port, "GARBAGE\r\n\r\n").status == 400);
    auto post = pcm::test::exchange(d.port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    CHECK(post.status == 405);
    CHECK(post.head.find("Allow: GET, HEAD") != std::string::npos);
    CHECK(pcm::test::http_get(d.port, "/nope").status == 404);
    auto head = pcm::test::exchange(d.port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(pcm::test::http_get(d.port, "/metrics", "X-Big: " + std::string(10'000, 'x') + "\r\n").status == 431);

    int slow = pcm::test::connect_loopback(d.port);
    ::send(slow, "GET /metr", 9, MSG_NOSIGNAL);  // and nothing more
    auto timed_out = pcm::test::read_reply(slow, 8s);
    ::close(slow);
    CHECK(timed_out.status == 408);

    CHECK(pcm::test::http_get(d.port, "/healthz").status == 200);
}
