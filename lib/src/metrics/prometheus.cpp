#include <pcm/metrics/prometheus.hpp>

#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <utility>

namespace pcm::metrics {
namespace {

using Label = std::pair<std::string_view, std::string_view>;

class Writer {
public:
    Writer(std::string& out, Format format) : out_(out), format_(format) { out_.clear(); }

    void family(std::string_view name, std::string_view type, std::string_view help) {
        // OpenMetrics names a counter family without the "_total" its samples carry.
        if (format_ == Format::openmetrics && type == "counter" && name.ends_with("_total"))
            name.remove_suffix(6);
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }

    void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
        out_ += name;
        if (labels.size() > 0) {
            out_ += '{';
            bool first = true;
            for (const auto& [key, label] : labels) {
                if (!first) out_ += ',';
                first = false;
                out_ += key;
                out_ += "=\"";
                append_label_value(out_, label);
                out_ += '"';
            }
            out_ += '}';
        }
        out_ += ' ';
        number(value);
        out_ += '\n';
    }

    void single(std::string_view name, std::string_view type, std::string_view help, double value) {
        family(name, type, help);
        sample(name, {}, value);
    }

private:
    void number(double value) {
        if (std::isnan(value)) {
            out_ += "NaN";
            return;
        }
        if (std::isinf(value)) {
            out_ += value > 0 ? "+Inf" : "-Inf";
            return;
        }
        char text[32];
        auto [end, ec] = std::to_chars(text, text + sizeof text, value);
        out_.append(text, end);
    }

    std::string& out_;
    Format format_;
};

std::string_view mode_names[] = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};

// CPU ids as label text without allocating: "0".."4095" live in one static table.
std::string_view cpu_label(int id) {
    static char table[4096][6];
    static bool filled = [] {
        for (int i = 0; i < 4096; ++i) std::to_chars(table[i], table[i] + 5, i);
        return true;
    }();
    (void)filled;
    return id >= 0 && id < 4096 ? std::string_view(table[id]) : std::string_view("overflow");
}

void cpu_metrics(Writer& w, const monitor::Monitor& m) {
    const sample::CpuReading& r = m.cpu();
    const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    w.family("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.");
    for (const sample::CpuLine& cpu : r.stat.cpus) {
        const sample::CpuTimes& t = cpu.times;
        // The kernel's user and nice include guest time; node_exporter reports them as printed.
        const std::uint64_t values[] = {t.user, t.nice, t.system, t.idle, t.iowait, t.irq, t.softirq, t.steal};
        for (std::size_t i = 0; i < 8; ++i)
            w.sample("node_cpu_seconds_total", {{"cpu", cpu_label(cpu.id)}, {"mode", mode_names[i]}},
                     static_cast<double>(values[i]) / hz);
    }
    w.family("node_cpu_guest_seconds_total", "counter", "Seconds the CPUs spent in guests (VMs) for each mode.");
    for (const sample::CpuLine& cpu : r.stat.cpus) {
        w.sample("node_cpu_guest_seconds_total", {{"cpu", cpu_label(cpu.id)}, {"mode", "user"}},
                 static_cast<double>(cpu.times.guest) / hz);
        w.sample("node_cpu_guest_seconds_total", {{"cpu", cpu_label(cpu.id)}, {"mode", "nice"}},
                 static_cast<double>(cpu.times.guest_nice) / hz);
    }
    w.single("node_context_switches_total", "counter", "Total number of context switches.",
             static_cast<double>(r.stat.ctxt));
    w.single("node_intr_total", "counter", "Total number of interrupts serviced.", static_cast<double>(r.stat.intr));
    w.single("node_forks_total", "counter", "Total number of forks.", static_cast<double>(r.stat.processes));
    w.single("node_procs_running", "gauge", "Number of processes in runnable state.",
             static_cast<double>(r.stat.procs_running));
    w.single("node_procs_blocked", "gauge", "Number of processes blocked waiting for I/O to complete.",
             static_cast<double>(r.stat.procs_blocked));
    w.single("node_boot_time_seconds", "gauge", "Node boot time, in unixtime.", static_cast<double>(r.stat.btime));
    w.single("node_load1", "gauge", "1m load average.", r.load.load1);
    w.single("node_load5", "gauge", "5m load average.", r.load.load5);
    w.single("node_load15", "gauge", "15m load average.", r.load.load15);
    if (r.pressure.available) {
        w.single("node_pressure_cpu_waiting_seconds_total", "counter",
                 "Total time in seconds that processes have waited for CPU time",
                 static_cast<double>(r.pressure.some.total_us) / 1e6);
    }
}

void memory_metrics(Writer& w, const monitor::Monitor& m, std::string& name) {
    const sample::MemoryReading& r = m.memory();
    for (const sample::MemField& f : r.meminfo.fields) {
        // node_exporter's naming: "Active(anon)" -> "Active_anon", kB fields get "_bytes".
        name = "node_memory_";
        for (char c : f.name) {
            if (c == '(' || c == ')') {
                if (c == '(') name += '_';
                continue;
            }
            name += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
        }
        if (f.bytes) name += "_bytes";
        w.family(name, "gauge", f.bytes ? "Memory information field, from /proc/meminfo, in bytes."
                                        : "Memory information field, from /proc/meminfo.");
        w.sample(name, {}, static_cast<double>(f.value));
    }
    if (r.pressure.available) {
        w.single("node_pressure_memory_waiting_seconds_total", "counter",
                 "Total time in seconds that processes have waited for memory",
                 static_cast<double>(r.pressure.some.total_us) / 1e6);
        w.single("node_pressure_memory_stalled_seconds_total", "counter",
                 "Total time in seconds no process could make progress due to memory congestion",
                 static_cast<double>(r.pressure.full.total_us) / 1e6);
    }
}

void disk_metrics(Writer& w, const monitor::Monitor& m) {
    using F = sample::DiskCounters;
    struct Family {
        std::string_view name, type, help;
        F::Field field;
        double scale;
        std::size_t needs;  // fields the kernel must print
    };
    static constexpr Family families[] = {
        {"node_disk_reads_completed_total", "counter", "The total number of reads completed successfully.", F::reads, 1, 11},
        {"node_disk_reads_merged_total", "counter", "The total number of reads merged.", F::reads_merged, 1, 11},
        {"node_disk_read_bytes_total", "counter", "The total number of bytes read successfully.", F::sectors_read, 512, 11},
        {"node_disk_read_time_seconds_total", "counter", "The total number of seconds spent by all reads.", F::read_ms, 0.001, 11},
        {"node_disk_writes_completed_total", "counter", "The total number of writes completed successfully.", F::writes, 1, 11},
        {"node_disk_writes_merged_total", "counter", "The number of writes merged.", F::writes_merged, 1, 11},
        {"node_disk_written_bytes_total", "counter", "The total number of bytes written successfully.", F::sectors_written, 512, 11},
        {"node_disk_write_time_seconds_total", "counter", "This is the total number of seconds spent by all writes.", F::write_ms, 0.001, 11},
        {"node_disk_io_now", "gauge", "The number of I/Os currently in progress.", F::in_flight, 1, 11},
        {"node_disk_io_time_seconds_total", "counter", "Total seconds spent doing I/Os.", F::io_ms, 0.001, 11},
        {"node_disk_io_time_weighted_seconds_total", "counter", "The weighted # of seconds spent doing I/Os.", F::weighted_io_ms, 0.001, 11},
        {"node_disk_discards_completed_total", "counter", "The total number of discards completed successfully.", F::discards, 1, 15},
        {"node_disk_discards_merged_total", "counter", "The total number of discards merged.", F::discards_merged, 1, 15},
        {"node_disk_discarded_sectors_total", "counter", "The total number of sectors discarded successfully.", F::sectors_discarded, 1, 15},
        {"node_disk_discard_time_seconds_total", "counter", "This is the total number of seconds spent by all discards.", F::discard_ms, 0.001, 15},
        {"node_disk_flush_requests_total", "counter", "The total number of flush requests completed successfully", F::flushes, 1, 17},
        {"node_disk_flush_requests_time_seconds_total", "counter", "This is the total number of seconds spent by all flush requests.", F::flush_ms, 0.001, 17},
    };
    const auto& disks = m.disk().disks;
    for (const Family& f : families) {
        w.family(f.name, f.type, f.help);
        for (const sample::DiskEntry& d : disks)
            if (d.line.counters.count >= f.needs)
                w.sample(f.name, {{"device", d.line.name}}, static_cast<double>(d.line.counters[f.field]) * f.scale);
    }
    const sample::Pressure& io = m.disk().pressure;
    if (io.available) {
        w.single("node_pressure_io_waiting_seconds_total", "counter",
                 "Total time in seconds that processes have waited due to IO congestion",
                 static_cast<double>(io.some.total_us) / 1e6);
        w.single("node_pressure_io_stalled_seconds_total", "counter",
                 "Total time in seconds no process could make progress due to IO congestion",
                 static_cast<double>(io.full.total_us) / 1e6);
    }
}

void filesystem_metrics(Writer& w, const monitor::Monitor& m) {
    struct Family {
        std::string_view name, help;
        std::uint64_t sample::FilesystemSpace::*field;
    };
    static constexpr Family families[] = {
        {"node_filesystem_size_bytes", "Filesystem size in bytes.", &sample::FilesystemSpace::size},
        {"node_filesystem_free_bytes", "Filesystem free space in bytes.", &sample::FilesystemSpace::free},
        {"node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.",
         &sample::FilesystemSpace::available},
        {"node_filesystem_files", "Filesystem total file nodes.", &sample::FilesystemSpace::files},
        {"node_filesystem_files_free", "Filesystem total free file nodes.", &sample::FilesystemSpace::files_free},
    };
    const auto& list = m.filesystems().filesystems;
    for (const Family& f : families) {
        w.family(f.name, "gauge", f.help);
        for (const sample::FilesystemEntry& e : list)
            if (e.has_space)
                w.sample(f.name,
                         {{"device", e.mount.source}, {"fstype", e.mount.fstype}, {"mountpoint", e.mount.mount_point}},
                         static_cast<double>(e.space.*f.field));
    }
    w.family("node_filesystem_device_error", "gauge", "Whether an error occurred while getting statistics for the given device.");
    for (const sample::FilesystemEntry& e : list)
        w.sample("node_filesystem_device_error",
                 {{"device", e.mount.source}, {"fstype", e.mount.fstype}, {"mountpoint", e.mount.mount_point}},
                 e.has_space ? 0 : 1);
}

void self_metrics(Writer& w, const monitor::Monitor& m, const ServerFigures& s) {
    w.family("pcmonitor_samples_total", "counter", "Samples taken, per group.");
    for (auto g : monitor::all_groups)
        w.sample("pcmonitor_samples_total", {{"group", monitor::name(g)}}, static_cast<double>(m.stats(g).samples));
    w.family("pcmonitor_sample_errors_total", "counter", "Samples that reported an error, per group.");
    for (auto g : monitor::all_groups)
        w.sample("pcmonitor_sample_errors_total", {{"group", monitor::name(g)}}, static_cast<double>(m.stats(g).errors));
    w.family("pcmonitor_sample_cost_seconds", "gauge", "CPU time of a sample on the loop thread (avg and max).");
    for (auto g : monitor::all_groups) {
        auto st = m.stats(g);
        w.sample("pcmonitor_sample_cost_seconds", {{"group", monitor::name(g)}, {"stat", "avg"}}, st.cost_ns.avg / 1e9);
        w.sample("pcmonitor_sample_cost_seconds", {{"group", monitor::name(g)}, {"stat", "max"}},
                 static_cast<double>(st.cost_ns.max) / 1e9);
    }
    w.family("pcmonitor_tick_lateness_seconds", "gauge", "How late ticks ran against their deadline (avg, p99, max).");
    for (auto g : monitor::all_groups) {
        auto st = m.stats(g);
        w.sample("pcmonitor_tick_lateness_seconds", {{"group", monitor::name(g)}, {"stat", "avg"}}, st.lateness_ns.avg / 1e9);
        w.sample("pcmonitor_tick_lateness_seconds", {{"group", monitor::name(g)}, {"stat", "p99"}},
                 static_cast<double>(st.lateness_ns.p99) / 1e9);
        w.sample("pcmonitor_tick_lateness_seconds", {{"group", monitor::name(g)}, {"stat", "max"}},
                 static_cast<double>(st.lateness_ns.max) / 1e9);
    }
    async::PoolCounters pool = m.waiter_pool();
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
    w.sample("pcmonitor_clients_rejected_total", {{"reason", "max_clients"}}, static_cast<double>(c.rejected_max_clients));
    w.sample("pcmonitor_clients_rejected_total", {{"reason", "per_uid"}}, static_cast<double>(c.rejected_per_uid));
    w.sample("pcmonitor_clients_rejected_total", {{"reason", "no_descriptors"}}, static_cast<double>(c.rejected_no_fd));
    w.family("pcmonitor_clients_dropped_total", "counter", "Connections the daemon closed on a client, by reason.");
    w.sample("pcmonitor_clients_dropped_total", {{"reason", "output_budget"}}, static_cast<double>(c.dropped_budget));
    w.sample("pcmonitor_clients_dropped_total", {{"reason", "output_queue"}}, static_cast<double>(c.dropped_queue_full));
    w.sample("pcmonitor_clients_dropped_total", {{"reason", "idle"}}, static_cast<double>(c.dropped_idle));
    w.single("pcmonitor_read_pauses_total", "counter",
             "Times reading from a client stopped until its queued replies drained (backpressure).",
             static_cast<double>(c.read_pauses));
    w.single("pcmonitor_output_queued_bytes", "gauge", "Reply bytes queued for all socket clients.",
             static_cast<double>(s.queued_bytes));
    w.family("pcmonitor_http_dropped_total", "counter", "HTTP connections closed by the daemon, by reason.");
    w.sample("pcmonitor_http_dropped_total", {{"reason", "max_connections"}}, static_cast<double>(c.http_dropped_oldest));
    w.sample("pcmonitor_http_dropped_total", {{"reason", "write_timeout"}}, static_cast<double>(c.http_write_timeouts));
    w.single("pcmonitor_http_rejected_total", "counter", "HTTP requests answered with an error status.",
             static_cast<double>(c.http_rejected));
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

void render_prometheus(const monitor::Monitor& monitor, const ServerFigures& server, std::string& out, Format format) {
    static thread_local std::string name;  // meminfo family names, built in place
    Writer w(out, format);
    cpu_metrics(w, monitor);
    memory_metrics(w, monitor, name);
    disk_metrics(w, monitor);
    filesystem_metrics(w, monitor);
    self_metrics(w, monitor, server);
    if (format == Format::openmetrics) out += "# EOF\n";
}

}  // namespace pcm::metrics
