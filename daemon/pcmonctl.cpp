// pcmonctl: the command-line client of pcmonitord's local socket.
#include <pcm/client/socket_discovery.hpp>
#include <pcm/config/config.hpp>
#include <pcm/sys/unique_fd.hpp>

#include <nlohmann/json.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using nlohmann::json;

constexpr int exit_ok = 0, exit_error_reply = 1, exit_cannot_connect = 2, exit_usage = 64;

constexpr const char* usage =
    "usage: pcmonctl [--socket PATH] [--json] COMMAND\n"
    "\n"
    "The daemon: --socket PATH, else $PCMONITOR_SOCKET, else your own pcmonitord's socket if\n"
    "one listens there, else the system service's /run/pcmonitor/pcmonitor.sock.\n"
    "\n"
    "commands:\n"
    "  get GROUP|all                the latest readings; GROUP: cpu memory disk fs network\n"
    "                               kernel textfile\n"
    "  wait GROUP [TIMEOUT_MS]      the next fresh reading of GROUP\n"
    "  watch GROUP                  a live view, refreshed on every sample, with the last minute\n"
    "  history GROUP SECONDS        min/avg/max and a sparkline of the last SECONDS\n"
    "  metrics                      Prometheus text\n"
    "  stats                        the daemon's own figures\n"
    "  config                       the running configuration\n"
    "  reload                       re-read the configuration file (root or the daemon's user)\n"
    "  ping                         check that the daemon answers\n"
    "\n"
    "--json prints the daemon's replies as they come. Exit codes: 0 ok, 1 the daemon replied\n"
    "with an error, 2 cannot connect, 64 bad usage.\n";

// ---- talking to the daemon ----------------------------------------------------------------

class Connection {
public:
    /// Connects to `path`; on failure, error() holds connect()'s errno.
    explicit Connection(const std::string& path) {
        fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (path.size() >= sizeof address.sun_path) {
            error_ = ENAMETOOLONG;
            fd_.reset();
            return;
        }
        std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
        if (!fd_ || ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            error_ = errno;
            fd_.reset();
        }
    }
    bool connected() const { return static_cast<bool>(fd_); }
    int error() const { return error_; }

    bool send(std::string_view line) {
        std::string text(line);
        text += '\n';
        for (std::size_t done = 0; done < text.size();) {
            ssize_t n = ::write(fd_.get(), text.data() + done, text.size() - done);
            if (n <= 0) return false;
            done += static_cast<std::size_t>(n);
        }
        return true;
    }

    /// The next line, without its newline; nothing at the end of the stream.
    std::optional<std::string> line() {
        for (;;) {
            if (std::size_t nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string out = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return out;
            }
            char chunk[65536];
            ssize_t n = ::read(fd_.get(), chunk, sizeof chunk);
            if (n <= 0) return std::nullopt;
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

private:
    int error_ = 0;
    std::string buffer_;
    pcm::sys::UniqueFd fd_;
};

// ---- formatting -----------------------------------------------------------------------------

std::string printf_string(const char* format, auto... args) {
    char text[256];
    std::snprintf(text, sizeof text, format, args...);
    return text;
}

std::string bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (std::fabs(b) >= 1024 && u < 5) b /= 1024, ++u;
    return printf_string(u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
}
std::string mb_per_s(double b) { return printf_string("%.2f MB/s", b / 1e6); }
std::string percent(const json& v) { return v.is_number() ? printf_string("%5.1f%%", v.get<double>()) : "    -"; }
double number(const json& v, double otherwise = NAN) { return v.is_number() ? v.get<double>() : otherwise; }

std::string sparkline(const std::vector<double>& values) {
    static const char* bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    double lo = INFINITY, hi = -INFINITY;
    for (double v : values)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    std::string out;
    for (double v : values) {
        if (!std::isfinite(v)) {
            out += ' ';
            continue;
        }
        int level = hi > lo ? static_cast<int>((v - lo) / (hi - lo) * 7 + 0.5) : 0;
        out += bars[std::clamp(level, 0, 7)];
    }
    return out;
}

void print_cpu(const json& d) {
    const json& t = d["total"];
    std::printf(
        "CPU     busy %s  user %s  system %s  iowait %s  steal %s   load %.2f %.2f %.2f\n",
        percent(t.is_object() ? t["busy"] : json()).c_str(), percent(t.is_object() ? t["user"] : json()).c_str(),
        percent(t.is_object() ? t["system"] : json()).c_str(), percent(t.is_object() ? t["iowait"] : json()).c_str(),
        percent(t.is_object() ? t["steal"] : json()).c_str(), number(d["load"]["1"], 0), number(d["load"]["5"], 0),
        number(d["load"]["15"], 0));
    if (d.contains("cpus"))
        for (const json& c : d["cpus"]) {
            const json& s = c["share"];
            std::printf("  cpu%-3d busy %s  user %s  system %s  iowait %s\n", c["cpu"].get<int>(),
                        percent(s.is_object() ? s["busy"] : json()).c_str(),
                        percent(s.is_object() ? s["user"] : json()).c_str(),
                        percent(s.is_object() ? s["system"] : json()).c_str(),
                        percent(s.is_object() ? s["iowait"] : json()).c_str());
        }
}

void print_memory(const json& d) {
    std::printf("Memory  total %s  used %s (%s)  available %s  cached %s\n", bytes(number(d["total"], 0)).c_str(),
                bytes(number(d["used"], 0)).c_str(), percent(d["used_percent"]).c_str(),
                bytes(number(d["available"], 0)).c_str(), bytes(number(d["cached"], 0)).c_str());
    std::printf("Swap    total %s  used %s (%s)\n", bytes(number(d["swap_total"], 0)).c_str(),
                bytes(number(d["swap_used"], 0)).c_str(), percent(d["swap_used_percent"]).c_str());
}

void print_disk(const json& d) {
    std::printf("%-12s %12s %12s %9s %9s %7s %9s\n", "device", "read", "write", "reads/s", "writes/s", "util", "await");
    for (const json& disk : d["disks"]) {
        const json& r = disk["rates"];
        if (!r.is_object()) {
            std::printf("%-12s %12s\n", disk["device"].get<std::string>().c_str(), "(first sample)");
            continue;
        }
        std::printf("%-12s %12s %12s %9.1f %9.1f %s %6.2f ms\n", disk["device"].get<std::string>().c_str(),
                    mb_per_s(number(r["read_bytes_per_s"])).c_str(), mb_per_s(number(r["write_bytes_per_s"])).c_str(),
                    number(r["reads_per_s"]), number(r["writes_per_s"]), percent(r["utilization_percent"]).c_str(),
                    number(r["await_ms"]));
    }
}

void print_filesystems(const json& d) {
    std::printf("%-28s %-8s %11s %11s %11s %6s\n", "mounted on", "type", "size", "used", "available", "use");
    for (const json& f : d["filesystems"]) {
        std::string mount = f["mount_point"].get<std::string>();
        if (!f["error"].is_null()) {
            std::printf("%-28s %-8s %s\n", mount.c_str(), f["fstype"].get<std::string>().c_str(),
                        f["error"].get<std::string>().c_str());
            continue;
        }
        double size = number(f["size"], 0), free = number(f["free"], 0);
        std::printf("%-28s %-8s %11s %11s %11s %s\n", mount.c_str(), f["fstype"].get<std::string>().c_str(),
                    bytes(size).c_str(), bytes(size - free).c_str(), bytes(number(f["available"], 0)).c_str(),
                    percent(f["used_percent"]).c_str());
    }
}

void print_network(const json& d) {
    std::printf("%-16s %-8s %12s %12s %10s %10s %9s %9s\n", "interface", "state", "receive", "transmit", "rx pkt/s",
                "tx pkt/s", "errors/s", "drops/s");
    for (const json& i : d["interfaces"]) {
        std::string name = i["interface"], state = i["operstate"];
        const json& r = i["rates"];
        if (!r.is_object()) {
            std::printf("%-16s %-8s %12s\n", name.c_str(), state.c_str(), "(first sample)");
            continue;
        }
        std::printf("%-16s %-8s %12s %12s %10.1f %10.1f %9.1f %9.1f\n", name.c_str(), state.c_str(),
                    mb_per_s(number(r["receive_bytes_per_s"])).c_str(),
                    mb_per_s(number(r["transmit_bytes_per_s"])).c_str(), number(r["receive_packets_per_s"]),
                    number(r["transmit_packets_per_s"]), number(r["errors_per_s"]), number(r["drops_per_s"]));
    }
}

void print_kernel(const json& d) {
    auto at = [&](std::initializer_list<const char*> path) -> double {
        const json* j = &d;
        for (const char* key : path) {
            if (!j->is_object() || !j->contains(key)) return NAN;
            j = &(*j)[key];
        }
        return number(*j);
    };
    std::printf(
        "TCP connections established %.0f, opened %.0f actively / %.0f passively, %.0f segments "
        "retransmitted\n",
        at({"protocols", "Tcp", "CurrEstab"}), at({"protocols", "Tcp", "ActiveOpens"}),
        at({"protocols", "Tcp", "PassiveOpens"}), at({"protocols", "Tcp", "RetransSegs"}));
    std::printf("Sockets     %.0f in use, TCP %.0f in use / %.0f time-wait, UDP %.0f in use\n",
                at({"sockets", "sockets", "used"}), at({"sockets", "TCP", "inuse"}), at({"sockets", "TCP", "tw"}),
                at({"sockets", "UDP", "inuse"}));
    std::printf("Conntrack   %.0f of %.0f entries\n", at({"conntrack", "entries"}), at({"conntrack", "limit"}));
    std::printf("Files       %.0f handles of %.0f\n", at({"file_handles", "allocated"}),
                at({"file_handles", "maximum"}));
    std::printf("Clock       %s, offset %.6f s, max error %.6f s\n",
                at({"timex", "sync_status"}) == 1 ? "synchronised" : "not synchronised (or not readable)",
                at({"timex", "offset_seconds"}), at({"timex", "maxerror_seconds"}));
}

void print_textfile(const json& d) {
    if (d["directory"].is_null()) {
        std::printf("textfile collector off (sampling.textfile.directory is empty)\n");
        return;
    }
    std::printf("%s\n%-32s %9s %9s  %s\n", d["directory"].get<std::string>().c_str(), "file", "families", "samples",
                "error");
    for (const json& f : d["files"])
        std::printf("%-32s %9.0f %9.0f  %s\n", f["file"].get<std::string>().c_str(), number(f["families"], 0),
                    number(f["samples"], 0), f["error"].is_null() ? "" : f["error"].get<std::string>().c_str());
}

void print_reading(const json& reading) {
    std::string group = reading["group"];
    if (!reading["error"].is_null())
        std::printf("(%s: %s)\n", group.c_str(), reading["error"].get<std::string>().c_str());
    // One table printer per group; a group the daemon knows and this client does not is
    // shown as its JSON.
    static const std::pair<std::string_view, void (*)(const json&)> printers[] = {
        {"cpu", print_cpu},          {"memory", print_memory},
        {"disk", print_disk},        {"filesystem", print_filesystems},
        {"network", print_network},  {"kernel", print_kernel},
        {"textfile", print_textfile}};
    const json& d = reading["data"];
    for (const auto& [name, print] : printers)
        if (group == name) return print(d);
    std::printf("%s\n", d.dump(2).c_str());
}

// ---- commands ---------------------------------------------------------------------------------

struct Client {
    Connection& daemon;
    bool raw_json;

    /// Sends `request` and reads one JSON reply; prints errors. Nothing: the connection broke.
    std::optional<json> ask(const std::string& request) {
        if (!daemon.send(request)) return std::nullopt;
        return next();
    }
    std::optional<json> next() {
        std::optional<std::string> line = daemon.line();
        if (!line) return std::nullopt;
        if (raw_json) std::printf("%s\n", line->c_str());
        json reply = json::parse(*line, nullptr, false);
        if (reply.is_discarded()) return json{{"ok", false}, {"code", "bad_reply"}, {"error", *line}};
        return reply;
    }
};

int report(const json& reply) {
    if (reply.value("ok", false)) return exit_ok;
    std::fprintf(stderr, "pcmonctl: %s (%s)\n", reply.value("error", std::string("error")).c_str(),
                 reply.value("code", std::string("?")).c_str());
    return exit_error_reply;
}

int lost() {
    std::fprintf(stderr, "pcmonctl: the daemon closed the connection\n");
    return exit_error_reply;
}

std::string group_word(std::string g) { return g == "fs" ? "filesystem" : g == "net" ? "network" : g; }

int watch(Client& client, const std::string& group) {
    // The sparkline follows the group's first history figure, from HISTORY and then from
    // each event's point: the daemon's figure both times, never one derived here.
    std::deque<double> minute;
    std::string figure = "figure";
    if (auto h = client.ask("HISTORY " + group + " 60"); h && h->value("ok", false)) {
        for (const json& p : (*h)["history"]["points"]) minute.push_back(number(p[1]));
        const json& names = (*h)["history"]["figures"];
        if (names.is_array() && !names.empty() && names[0].is_string()) figure = names[0].get<std::string>();
    }
    auto reply = client.ask("SUBSCRIBE " + group);
    if (!reply) return lost();
    if (int rc = report(*reply)) return rc;
    for (;;) {
        auto event = client.next();
        if (!event) return lost();
        if (client.raw_json) continue;
        const json& reading = (*event)["reading"];
        std::string g = reading["group"];
        const json& point = (*event)["point"];
        minute.push_back(point.is_array() && point.size() > 1 ? number(point[1]) : NAN);
        while (minute.size() > 60) minute.pop_front();
        std::printf("\033[H\033[2J");  // clear the terminal
        std::printf("pcmonctl watch %s   (sample %llu; Ctrl-C to stop)\n\n", g.c_str(),
                    reading["sequence"].get<unsigned long long>());
        print_reading(reading);
        std::printf("\nlast minute of %s: %s\n", figure.c_str(),
                    sparkline(std::vector<double>(minute.begin(), minute.end())).c_str());
        std::fflush(stdout);
    }
}

int history(Client& client, const std::string& group, const std::string& seconds) {
    auto reply = client.ask("HISTORY " + group + " " + seconds);
    if (!reply) return lost();
    if (int rc = report(*reply); rc || client.raw_json) return rc;
    const json& h = (*reply)["history"];
    const json& figures = h["figures"];
    std::printf("%s, last %s s: %zu points\n", h["group"].get<std::string>().c_str(), seconds.c_str(),
                h["points"].size());
    std::printf("%-26s %14s %14s %14s  %s\n", "figure", "min", "avg", "max", "trend");
    for (std::size_t f = 0; f < figures.size(); ++f) {
        std::vector<double> values;
        for (const json& p : h["points"]) values.push_back(number(p[f + 1]));
        if (values.size() > 60) {  // at most 60 columns: keep every n-th point
            std::vector<double> thin;
            for (std::size_t i = 0; i < 60; ++i) thin.push_back(values[i * values.size() / 60]);
            values = std::move(thin);
        }
        const json& s = h["summary"][figures[f].get<std::string>()];
        std::printf("%-26s %14.2f %14.2f %14.2f  %s\n", figures[f].get<std::string>().c_str(), number(s["min"]),
                    number(s["avg"]), number(s["max"]), sparkline(values).c_str());
    }
    return exit_ok;
}

int run(Client& client, const std::vector<std::string>& words) {
    const std::string& command = words[0];
    auto argument = [&](std::size_t i) { return i < words.size() ? words[i] : std::string(); };
    if (command == "metrics") {
        if (!client.daemon.send("METRICS")) return lost();
        while (auto line = client.daemon.line()) {
            std::printf("%s\n", line->c_str());
            if (*line == "# EOF") return exit_ok;
            if (line->starts_with("{")) return report(json::parse(*line, nullptr, false));
        }
        return lost();
    }
    if (command == "watch" && words.size() == 2) return watch(client, group_word(words[1]));
    if (command == "history" && words.size() == 3) return history(client, group_word(words[1]), words[2]);

    std::string request;
    if (command == "get" && words.size() == 2) request = "GET " + group_word(words[1]);
    else if (command == "wait" && (words.size() == 2 || words.size() == 3))
        request = "WAIT " + group_word(words[1]) + " " + argument(2);
    else if (command == "stats" || command == "config" || command == "reload" || command == "ping") {
        if (words.size() != 1) return exit_usage;
        for (char c : command) request += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else {
        std::fprintf(stderr, "pcmonctl: unknown or incomplete command\n\n%s", usage);
        return exit_usage;
    }
    auto reply = client.ask(request);
    if (!reply) return lost();
    if (int rc = report(*reply); rc || client.raw_json) return rc;
    const json& r = *reply;
    if (r.contains("reading")) print_reading(r["reading"]);
    if (r.contains("readings"))
        for (const auto& [name, reading] : r["readings"].items()) {
            print_reading(reading);
            std::printf("\n");
        }
    if (r.contains("stats") || r.contains("config"))
        std::printf("%s\n", r.contains("stats") ? r["stats"].dump(2).c_str() : r["config"].dump(2).c_str());
    if (r.contains("pong")) std::printf("pong\n");
    if (r.contains("reloaded")) std::printf("reloaded\n");
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // a daemon that goes away is reported, not fatal
    std::string socket_path;
    bool raw_json = false;
    std::vector<std::string> words;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--socket" && i + 1 < argc) socket_path = argv[++i];
        else if (arg == "--json") raw_json = true;
        else if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            return exit_ok;
        } else words.emplace_back(arg);
    }
    if (words.empty()) {
        std::fputs(usage, stderr);
        return exit_usage;
    }
    const char* environment = std::getenv("PCMONITOR_SOCKET");
    std::vector<std::string> candidates = pcm::client::socket_candidates(
        {socket_path, environment ? environment : "", pcm::config::default_socket_path()});
    std::optional<Connection> connection;
    std::string failures;
    for (const std::string& path : candidates) {
        connection.emplace(path);
        if (connection->connected()) break;
        failures += "\n  " + path + ": " + pcm::client::connect_failure_reason(connection->error());
        connection.reset();
    }
    if (!connection) {
        std::fprintf(stderr, "pcmonctl: cannot connect to pcmonitord; tried:%s\n", failures.c_str());
        return exit_cannot_connect;
    }
    Connection& daemon = *connection;
    Client client{daemon, raw_json};
    return run(client, words);
}
