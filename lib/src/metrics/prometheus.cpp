#include <pcm/metrics/prometheus.hpp>

#include <pcm/sample/proc_file.hpp>
#include <pcm/sys/unique_fd.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <limits>
#include <new>
#include <optional>
#include <utility>

namespace pcm::metrics {
namespace {

Walk node_metrics(Writer& w, const Snapshot& snapshot) {
    const utsname& u = snapshot.uname;
    w.family("node_uname_info", "gauge", "Labeled system information as provided by the uname system call.");
    w.sample("node_uname_info",
             {{"domainname", u.domainname},
              {"machine", u.machine},
              {"nodename", u.nodename},
              {"release", u.release},
              {"sysname", u.sysname},
              {"version", u.version}},
             1);
    w.single("node_time_seconds", "gauge", "System time in seconds since epoch (1970).", snapshot.time_seconds);
    w.family("node_time_zone_offset_seconds", "gauge", "System time zone offset in seconds.");
    w.sample("node_time_zone_offset_seconds", {{"time_zone", snapshot.zone_name}}, snapshot.zone_offset_seconds);
    w.family("node_scrape_collector_success", "gauge", "Whether the group's last sample succeeded (1) or not (0).");
    for (auto g : monitor::all_groups)
        w.sample("node_scrape_collector_success", {{"collector", monitor::name(g)}},
                 snapshot.errors_now[static_cast<std::size_t>(g)] ? 0 : 1);
    w.family("node_scrape_collector_duration_seconds", "gauge",
             "CPU time of the group's samples on the loop thread (average).");
    for (auto g : monitor::all_groups)
        w.sample("node_scrape_collector_duration_seconds", {{"collector", monitor::name(g)}},
                 snapshot.stats[static_cast<std::size_t>(g)].cost_ns.avg / 1e9);

    const sample::ProcessStat& p = snapshot.process;
    const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    w.single("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
             static_cast<double>(p.user_ticks + p.system_ticks) / hz);
    w.single("process_open_fds", "gauge", "Number of open file descriptors.", static_cast<double>(snapshot.open_fds));
    w.single("process_max_fds", "gauge", "Maximum number of open file descriptors.",
             static_cast<double>(snapshot.max_fds));
    w.single("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
             static_cast<double>(p.virtual_bytes));
    w.single("process_virtual_memory_max_bytes", "gauge", "Maximum amount of virtual memory available in bytes.",
             snapshot.virtual_memory_max_bytes);
    w.single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
             static_cast<double>(p.resident_pages) * static_cast<double>(::sysconf(_SC_PAGESIZE)));
    w.single("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
             snapshot.boot_time_seconds + static_cast<double>(p.start_ticks) / hz);
    co_return;
}

Walk self_metrics(Writer& w, const Snapshot& snapshot) {
    const ServerFigures& s = snapshot.server;
    auto stats = [&](monitor::Group g) { return snapshot.stats[static_cast<std::size_t>(g)]; };
    w.family("pcmonitor_samples_total", "counter", "Samples taken, per group.");
    for (auto g : monitor::all_groups)
        w.sample("pcmonitor_samples_total", {{"group", monitor::name(g)}}, static_cast<double>(stats(g).samples));
    w.family("pcmonitor_sample_errors_total", "counter", "Samples that reported an error, per group.");
    for (auto g : monitor::all_groups)
        w.sample("pcmonitor_sample_errors_total", {{"group", monitor::name(g)}}, static_cast<double>(stats(g).errors));
    w.family("pcmonitor_sample_cost_seconds", "gauge", "CPU time of a sample on the loop thread (avg and max).");
    for (auto g : monitor::all_groups) {
        auto st = stats(g);
        w.sample("pcmonitor_sample_cost_seconds", {{"group", monitor::name(g)}, {"stat", "avg"}}, st.cost_ns.avg / 1e9);
        w.sample("pcmonitor_sample_cost_seconds", {{"group", monitor::name(g)}, {"stat", "max"}},
                 static_cast<double>(st.cost_ns.max) / 1e9);
    }
    w.family("pcmonitor_tick_lateness_seconds", "gauge", "How late ticks ran against their deadline (avg, p99, max).");
    for (auto g : monitor::all_groups) {
        auto st = stats(g);
        w.sample("pcmonitor_tick_lateness_seconds", {{"group", monitor::name(g)}, {"stat", "avg"}},
                 st.lateness_ns.avg / 1e9);
        w.sample("pcmonitor_tick_lateness_seconds", {{"group", monitor::name(g)}, {"stat", "p99"}},
                 static_cast<double>(st.lateness_ns.p99) / 1e9);
        w.sample("pcmonitor_tick_lateness_seconds", {{"group", monitor::name(g)}, {"stat", "max"}},
                 static_cast<double>(st.lateness_ns.max) / 1e9);
    }
    const async::PoolCounters& pool = snapshot.waiter_pool;
    w.single("pcmonitor_waiter_pool_created_total", "counter", "Completion sources created by the waiter pool.",
             static_cast<double>(pool.created));
    w.single("pcmonitor_waiter_pool_rented_total", "counter", "Completion sources rented from the waiter pool.",
             static_cast<double>(pool.rented));
    w.single("pcmonitor_waiter_pool_returned_total", "counter", "Completion sources returned to the waiter pool.",
             static_cast<double>(pool.returned));
    w.single("pcmonitor_waiter_pool_dropped_total", "counter", "Returned completion sources the full pool destroyed.",
             static_cast<double>(pool.dropped));
    w.single("pcmonitor_clients", "gauge", "Clients connected to the local socket.", static_cast<double>(s.clients));
    w.single("pcmonitor_requests_total", "counter", "Requests answered on the local socket.",
             static_cast<double>(s.requests));
    w.single("pcmonitor_uptime_seconds", "gauge", "Seconds since the daemon started.", s.uptime_s);
    const ClientCounters& c = s.counters;
    w.family("pcmonitor_clients_rejected_total", "counter", "Connections turned away, by reason.");
    w.sample("pcmonitor_clients_rejected_total", {{"reason", "max_clients"}},
             static_cast<double>(c.rejected_max_clients));
    w.sample("pcmonitor_clients_rejected_total", {{"reason", "per_uid"}}, static_cast<double>(c.rejected_per_uid));
    w.sample("pcmonitor_clients_rejected_total", {{"reason", "no_descriptors"}}, static_cast<double>(c.rejected_no_fd));
    w.family("pcmonitor_clients_dropped_total", "counter", "Connections the daemon closed on a client, by reason.");
    w.sample("pcmonitor_clients_dropped_total", {{"reason", "output_budget"}}, static_cast<double>(c.dropped_budget));
    w.sample("pcmonitor_clients_dropped_total", {{"reason", "output_queue"}},
             static_cast<double>(c.dropped_queue_full));
    w.sample("pcmonitor_clients_dropped_total", {{"reason", "idle"}}, static_cast<double>(c.dropped_idle));
    w.single("pcmonitor_read_pauses_total", "counter",
             "Times reading from a client stopped until its queued replies drained (backpressure).",
             static_cast<double>(c.read_pauses));
    w.single("pcmonitor_output_queued_bytes", "gauge", "Reply bytes queued for all socket clients.",
             static_cast<double>(s.queued_bytes));
    w.family("pcmonitor_http_dropped_total", "counter", "HTTP connections closed by the daemon, by reason.");
    w.sample("pcmonitor_http_dropped_total", {{"reason", "max_connections"}},
             static_cast<double>(c.http_dropped_oldest));
    w.sample("pcmonitor_http_dropped_total", {{"reason", "write_timeout"}}, static_cast<double>(c.http_write_timeouts));
    w.single("pcmonitor_http_rejected_total", "counter", "HTTP requests answered with an error status.",
             static_cast<double>(c.http_rejected));
    co_return;
}

Walk end_metrics(Writer& w, const Snapshot&) {
    if (w.format() == Format::openmetrics) w.text("# EOF\n");
    co_return;
}

// After the groups' families, in this order.
using Section = Walk (*)(Writer&, const Snapshot&);
constexpr Section closing_sections[] = {node_metrics, self_metrics, end_metrics};
constexpr std::size_t section_count = monitor::all_groups.size() + std::size(closing_sections);

Walk section(std::size_t index, Writer& w, const Snapshot& snapshot) {
    if (index < monitor::all_groups.size()) return snapshot.groups[index]->write(w);
    return closing_sections[index - monitor::all_groups.size()](w, snapshot);
}

}  // namespace

void append_label_value(std::string& out, std::string_view value) {
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
}

namespace {

// This process's figures, read without allocating: a stack buffer for its stat line, and
// the directory of its descriptors counted.
void take_process(Snapshot& s) {
    if (sys::UniqueFd fd(::open("/proc/self/stat", O_RDONLY | O_CLOEXEC)); fd) {
        char line[4096];
        ssize_t n = ::read(fd.get(), line, sizeof line);
        if (n > 0) sample::parse_process_stat(std::string_view(line, static_cast<std::size_t>(n)), s.process);
    }
    s.open_fds = 0;
    if (DIR* dir = ::opendir("/proc/self/fd")) {
        while (const dirent* entry = ::readdir(dir)) s.open_fds += entry->d_name[0] != '.';
        ::closedir(dir);
        if (s.open_fds > 0) --s.open_fds;  // the directory's own descriptor
    }
    rlimit limit{};
    s.max_fds = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 ? limit.rlim_cur : 0;
    s.virtual_memory_max_bytes = ::getrlimit(RLIMIT_AS, &limit) == 0 ? static_cast<double>(limit.rlim_cur) : 0;
}

// The kernel's boot time ("btime" in /proc/stat), which process start times count from:
// read once, since it does not change while the machine runs.
double boot_time() {
    static const double seconds = [] {
        sample::ProcFile stat("/proc/stat");
        std::string_view text;
        if (stat.read(text) != 0) return 0.0;
        std::size_t at = text.find("\nbtime ");
        if (at == std::string_view::npos) return 0.0;
        double value = 0;
        std::from_chars(text.data() + at + 7, text.data() + text.size(), value);
        return value;
    }();
    return seconds;
}

}  // namespace

void Snapshot::take(const monitor::Monitor& monitor, const ServerFigures& figures) {
    if (::uname(&uname) != 0) uname = {};
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    time_seconds = static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
    tm local{};
    if (::localtime_r(&now.tv_sec, &local) != nullptr) {
        zone_offset_seconds = static_cast<double>(local.tm_gmtoff);
        std::snprintf(zone_name, sizeof zone_name, "%s", local.tm_zone != nullptr ? local.tm_zone : "");
    }
    take_process(*this);
    boot_time_seconds = boot_time();
    if (source != monitor.instance()) {  // once per monitor: the parts refer to its samplers
        source = monitor.instance();
        for (monitor::Group g : monitor::all_groups)
            groups[static_cast<std::size_t>(g)] = monitor.group(g).exposition();
    }
    for (monitor::Group g : monitor::all_groups) {
        groups[static_cast<std::size_t>(g)]->take();
        stats[static_cast<std::size_t>(g)] = monitor.stats(g);
        errors_now[static_cast<std::size_t>(g)] = !monitor.header(g).error.empty();
    }
    waiter_pool = monitor.waiter_pool();
    server = figures;
}

struct PrometheusRender::State {
    Snapshot snapshot;
    Writer writer;
    std::size_t section = section_count;
    std::optional<Walk> walk;
};

PrometheusRender::PrometheusRender() : state_(std::make_unique<State>()) {}
PrometheusRender::~PrometheusRender() = default;

void PrometheusRender::start(const monitor::Monitor& monitor, const ServerFigures& figures, Format format) {
    State& s = *state_;
    s.walk.reset();
    s.snapshot.take(monitor, figures);
    s.writer.set_format(format);
    s.section = 0;
}

bool PrometheusRender::step(std::string& out, std::size_t step_bytes) {
    State& s = *state_;
    s.writer.begin_step(out, step_bytes);
    while (s.section < section_count) {
        if (!s.walk) s.walk.emplace(section(s.section, s.writer, s.snapshot));
        bool finished;
        try {
            finished = s.walk->resume();
        } catch (...) {
            s.walk.reset();
            s.section = section_count;
            throw;
        }
        if (!finished) return false;
        s.walk.reset();
        ++s.section;
        if (s.writer.step_full()) break;
    }
    return s.section == section_count;
}

bool PrometheusRender::done() const noexcept { return state_->section == section_count; }

void render_prometheus(const monitor::Monitor& monitor, const ServerFigures& server, std::string& out, Format format) {
    static thread_local PrometheusRender render;
    out.clear();
    render.start(monitor, server, format);
    render.step(out, std::numeric_limits<std::size_t>::max());
}

}  // namespace pcm::metrics
