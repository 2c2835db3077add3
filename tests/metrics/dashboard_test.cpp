// The node dashboards' and alert rules' PromQL (dashboard_queries.txt), evaluated by a real
// Prometheus that scrapes pcmonitord and node_exporter 1.5 side by side: whatever returns
// data for node_exporter must return the same series for pcmonitor, sizes and totals
// equal, counter rates within 1 %. The differences kept on purpose are listed below.
//
// Prometheus scrapes each target at its own offset within the interval, so two jobs' [1m]
// windows start and end up to a second apart, and a counter that moves in bursts (a disk
// read, the scrapes' own traffic) can land inside one window and not the other. That part
// is measured, not guessed: node_exporter is scraped a second time, as job "node_twin" (at
// another offset), and a rate may differ from node_exporter's by 1 % plus twice what
// node_exporter's differs from its twin's. And pcmonitord serves its latest sample where
// node_exporter reads at the scrape: a sample may be up to one interval (0.1 s) plus its
// worst lateness old (pcmonitor_tick_lateness_seconds, measured; milliseconds on a quiet
// machine), which over a 60 s window is that much more relative difference.
#include "../async/wait.hpp"
#include "fixture.hpp"
#include "http_client.hpp"
#include "process.hpp"
#include "running_daemon.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
using pcm::test::Process;
using pcm::test::TempDir;

namespace {

// Differences kept on purpose, by a part of the expression: why, and how it is compared.
struct Difference {
    std::string_view in_expression, reason;
    bool shared_only = false;  ///< compared on the series both have (there must be some)
    bool count_only = false;   ///< the values differ by design; as many of them
};
constexpr Difference differences[] = {
    {"node_filesystem_",
     "one row per filesystem as df shows it (bind mounts of a device left out), from the daemon's own mount "
     "namespace (what it can statvfs); node_exporter lists every mount point of PID 1's",
     true},
    {"} instance", "each job's instance label is its own target address", false, true},
};

const Difference* difference(const std::string& expression) {
    for (const Difference& d : differences)
        if (expression.find(d.in_expression) != std::string::npos) return &d;
    return nullptr;
}

std::string url_encode(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", c);
            out += hex;
        }
    }
    return out;
}

std::string replace_job(std::string text, const std::string& job) {
    for (std::size_t at; (at = text.find("$job")) != std::string::npos;) text.replace(at, 4, job);
    return text;
}

// A query's result: label set (job and instance aside) -> value.
using Series = std::map<std::string, double>;

Series series_of(const json& reply) {
    Series out;
    if (!reply.is_object() || reply.value("status", "") != "success") return out;
    const json& data = reply["data"];
    auto value = [](const json& pair) { return std::stod(pair[1].get<std::string>()); };
    if (data["resultType"] == "scalar") {
        out[""] = value(data["result"]);
        return out;
    }
    for (const json& r : data["result"]) {
        std::string key;
        for (const auto& [name, label] : r["metric"].items())
            if (name != "job" && name != "instance") key += name + "=" + label.get<std::string>() + ",";
        out[key] = value(r["value"]);
    }
    return out;
}

struct Query {
    std::string kind, expression, label;  // label: for "values"
    double absolute = 0.002;              // rate@X
};

std::vector<Query> read_queries() {
    std::ifstream in(std::string(PCM_SOURCE_DIR) + "/tests/metrics/dashboard_queries.txt");
    std::vector<Query> out;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::size_t space = line.find(' ');
        Query q{line.substr(0, space), line.substr(space + 1), ""};
        if (q.kind.starts_with("rate@")) {
            q.absolute = std::stod(q.kind.substr(5));
            q.kind = "rate";
        }
        if (q.kind == "values") {
            std::size_t last = q.expression.rfind(' ');
            q.label = q.expression.substr(last + 1);
            q.expression.resize(last);
        }
        out.push_back(q);
    }
    return out;
}

bool close(double ours, double theirs, double relative, double absolute) {
    if (std::isnan(ours) || std::isnan(theirs)) return std::isnan(ours) && std::isnan(theirs);
    return std::fabs(ours - theirs) <= relative * std::max(std::fabs(ours), std::fabs(theirs)) + absolute;
}

}  // namespace

TEST_CASE("dashboard and alert PromQL gives node_exporter's answers for pcmonitor, in a real Prometheus") {
    std::vector<Query> queries = read_queries();
    REQUIRE(queries.size() >= 150);

    pcm::test::RunningDaemon d;
    int daemon_port = pcm::test::free_port();
    // Sampled often, so that a rate's window starts and ends within 0.1 s of node_exporter's.
    d.start(R"({"sampling":{"cpu":{"interval_ms":100},"memory":{"interval_ms":100},"disk":{"interval_ms":100},
              "network":{"interval_ms":100},"kernel":{"interval_ms":100},
              "filesystem":{"interval_ms":500,"statfs_timeout_ms":400}},
              "socket":{"path":")" +
            d.socket + R"("},"http":{"listen":"127.0.0.1:)" + std::to_string(daemon_port) + R"("}})");

    // node_exporter 1.5 with its default collectors, and upstream's default of keeping
    // loopback among the netdev series (Debian's package leaves it out).
    int exporter_port = pcm::test::free_port();
    TempDir exporter_dir;
    Process exporter(
        {"/usr/bin/prometheus-node-exporter", "--web.listen-address=127.0.0.1:" + std::to_string(exporter_port),
         "--collector.netdev.device-exclude="},
        exporter_dir.path());

    TempDir prom;
    int prometheus_port = pcm::test::free_port();
    pcm::test::write_file(prom.path() / "prometheus.yml",
                          "global:\n  scrape_interval: 1s\nscrape_configs:\n"
                          "  - job_name: pcmonitor\n    static_configs:\n      - targets: ['127.0.0.1:" +
                              std::to_string(daemon_port) +
                              "']\n"
                              "  - job_name: node\n    static_configs:\n      - targets: ['127.0.0.1:" +
                              std::to_string(exporter_port) +
                              "']\n"
                              "  - job_name: node_twin\n    static_configs:\n      - targets: ['127.0.0.1:" +
                              std::to_string(exporter_port) + "']\n");
    Process server({"/usr/bin/prometheus", "--config.file=" + (prom.path() / "prometheus.yml").string(),
                    "--storage.tsdb.path=" + (prom.path() / "data").string(),
                    "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
                   prom.path());
    auto get = [&](const std::string& path) {
        auto reply = pcm::test::http_get(prometheus_port, path);
        return reply.status == 200 ? json::parse(reply.body) : json();
    };
    auto scrapes = [&](const char* job) {
        Series s = series_of(
            get("/api/v1/query?query=" + url_encode(std::string("count_over_time(up{job=\"") + job + "\"}[1m])")));
        return s.empty() ? 0.0 : s.begin()->second;
    };
    // A whole minute of both jobs, so that every [1m] window is full.
    pcm::test::wait_until(
        [&] { return scrapes("node") >= 59 && scrapes("node_twin") >= 59 && scrapes("pcmonitor") >= 59; },
        [] { std::this_thread::sleep_for(500ms); }, "a minute of scrapes of both jobs", std::chrono::seconds(180));
    // Every expression at one instant, for both jobs.
    char at[32];
    std::snprintf(at, sizeof at, "%.3f", static_cast<double>(std::time(nullptr)) - 1.5);

    Series lateness =
        series_of(get("/api/v1/query?time=" + std::string(at) +
                      "&query=" + url_encode("max(pcmonitor_tick_lateness_seconds{job=\"pcmonitor\",stat=\"max\"})")));
    REQUIRE(lateness.size() == 1);
    const double staleness = (0.1 + lateness.begin()->second) / 60;
    MESSAGE("samples at most ", 0.1 + lateness.begin()->second, " s old: rates may differ by ", 100 * staleness,
            " % more");
    int compared = 0, no_data = 0, kept = 0;
    for (const Query& q : queries) {
        INFO(q.kind, " ", q.expression);
        if (q.kind == "values") {
            auto values = [&](const std::string& job) {
                json r = get("/api/v1/label/" + q.label +
                             "/values?match%5B%5D=" + url_encode(replace_job(q.expression, job)));
                std::set<std::string> out;
                if (r.is_object())
                    for (const json& v : r["data"]) out.insert(v.get<std::string>());
                return out;
            };
            auto ours = values("pcmonitor"), theirs = values("node");
            if (theirs.empty()) {
                ++no_data;
                continue;
            }
            const Difference* why = difference(q.expression + " " + q.label);
            if (why != nullptr && why->count_only) {
                CHECK(ours.size() == theirs.size());
                ++kept;
            } else if (why != nullptr && why->shared_only) {
                CHECK(std::any_of(ours.begin(), ours.end(), [&](const auto& v) { return theirs.count(v) == 1; }));
                ++kept;
            } else {
                CHECK(ours == theirs);
            }
            ++compared;
            continue;
        }
        auto evaluate = [&](const std::string& job) {
            return series_of(
                get("/api/v1/query?time=" + std::string(at) + "&query=" + url_encode(replace_job(q.expression, job))));
        };
        Series ours = evaluate("pcmonitor"), theirs = evaluate("node"), twin = evaluate("node_twin");
        if (theirs.empty()) {
            ++no_data;
            continue;
        }
        ++compared;
        REQUIRE_MESSAGE(!ours.empty(), "no data for pcmonitor");
        const Difference* why = difference(q.expression);
        if (why != nullptr) ++kept;
        if (why != nullptr && why->shared_only) {
            CHECK_MESSAGE(std::any_of(ours.begin(), ours.end(), [&](const auto& kv) { return theirs.count(kv.first); }),
                          "no series in common");
        } else {
            std::set<std::string> our_keys, their_keys;
            for (const auto& kv : ours) our_keys.insert(kv.first);
            for (const auto& kv : theirs) their_keys.insert(kv.first);
            CHECK(our_keys == their_keys);
        }
        if (q.kind == "labels") continue;
        for (const auto& [labels, value] : ours) {
            if (theirs.count(labels) == 0) continue;
            double their = theirs.at(labels);
            INFO("series {", labels, "}: pcmonitor ", value, ", node_exporter ", their);
            double offsets = twin.count(labels) ? std::fabs(their - twin.at(labels)) : 0;
            INFO("node_exporter's twin: ", offsets, " apart");
            if (q.kind == "same") CHECK(close(value, their, 1e-9, 0));
            else CHECK(close(value, their, 0.01 + staleness, q.absolute + 2 * offsets));
        }
    }
    MESSAGE(queries.size(), " expressions: ", compared, " compared, ", no_data,
            " without data from node_exporter on this machine, ", kept, " with a difference kept on purpose");
    CHECK(compared >= 100);
    server.signal(SIGTERM);
    server.wait(20s);
    exporter.signal(SIGTERM);
    exporter.wait();
}
