#include <pcm/metrics/prometheus.hpp>

#include <pcm/sys/unique_fd.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <limits>
#include <new>
#include <optional>
#include <utility>

namespace pcm::metrics {
namespace {

using Label = std::pair<std::string_view, std::string_view>;

// Frames of the coroutines that walk the families, one at a time, in a fixed buffer: a
// steady scrape allocates nothing. A frame too large for it goes to the heap.
class FrameArena {
public:
    void* allocate(std::size_t size) {
        std::size_t total = header + (size + header - 1) / header * header;
        std::byte* base;
        Header owner{this};
        if (used_ + total <= sizeof buffer_) {
            base = buffer_ + used_;
            used_ += total;
            ++live_;
        } else {
            base = static_cast<std::byte*>(::operator new(header + size));
            owner.arena = nullptr;
        }
        std::memcpy(base, &owner, sizeof(Header));
        return base + header;
    }
    static void deallocate(void* frame) noexcept {
        std::byte* base = static_cast<std::byte*>(frame) - header;
        Header owner{};
        std::memcpy(&owner, base, sizeof(Header));
        if (owner.arena == nullptr) {
            ::operator delete(base);
        } else if (--owner.arena->live_ == 0) {
            owner.arena->used_ = 0;
        }
    }

private:
    struct Header {
        FrameArena* arena;  // null: the frame came from the heap
    };
    static constexpr std::size_t header = alignof(std::max_align_t);
    alignas(std::max_align_t) std::byte buffer_[4096];
    std::size_t used_ = 0, live_ = 0;
};

class Writer {
public:
    void set_format(Format format) noexcept { format_ = format; }
    Format format() const noexcept { return format_; }

    /// Writes to `out` from here on; the step is full once `step_bytes` more were written.
    void begin_step(std::string& out, std::size_t step_bytes) noexcept {
        out_ = &out;
        step_end_ = step_bytes > std::numeric_limits<std::size_t>::max() - out.size()
                        ? std::numeric_limits<std::size_t>::max()
                        : out.size() + step_bytes;
    }
    bool step_full() const noexcept { return out_->size() >= step_end_; }

    void family(std::string_view name, std::string_view type, std::string_view help) {
        // OpenMetrics names a counter family without the "_total" its samples carry, and
        // calls the text format's "untyped" "unknown".
        if (format_ == Format::openmetrics && type == "counter" && name.ends_with("_total")) name.remove_suffix(6);
        if (format_ == Format::openmetrics && type == "untyped") type = "unknown";
        std::string& out = *out_;
        out += "# HELP ";
        out += name;
        out += ' ';
        out += help;
        out += "\n# TYPE ";
        out += name;
        out += ' ';
        out += type;
        out += '\n';
    }

    void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
        std::string& out = *out_;
        out += name;
        if (labels.size() > 0) {
            out += '{';
            bool first = true;
            for (const auto& [key, label] : labels) {
                if (!first) out += ',';
                first = false;
                out += key;
                out += "=\"";
                append_label_value(out, label);
                out += '"';
            }
            out += '}';
        }
        out += ' ';
        number(value);
        out += '\n';
    }

    void text(std::string_view line) { *out_ += line; }

    FrameArena arena;
    std::string name;  // meminfo and vmstat family names, built in place
    std::string help;  // and vmstat HELP texts

    void single(std::string_view name, std::string_view type, std::string_view help, double value) {
        family(name, type, help);
        sample(name, {}, value);
    }

private:
    void number(double value) {
        if (std::isnan(value)) {
            *out_ += "NaN";
            return;
        }
        if (std::isinf(value)) {
            *out_ += value > 0 ? "+Inf" : "-Inf";
            return;
        }
        char digits[32];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
        out_->append(digits, end);
    }

    std::string* out_ = nullptr;
    std::size_t step_end_ = 0;
    Format format_ = Format::prometheus_text;
};

// A coroutine that writes a section's families, pausing (`co_yield pause`) where the
// writer's step is full; `PrometheusRender::step` resumes it.
struct Pause {};
constexpr Pause pause{};

class Walk {
public:
    struct promise_type {
        std::exception_ptr error;

        Walk get_return_object() noexcept { return Walk(Handle::from_promise(*this)); }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        std::suspend_always yield_value(Pause) noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { error = std::current_exception(); }

        static void* operator new(std::size_t size, Writer& w, const Snapshot&) { return w.arena.allocate(size); }
        static void operator delete(void* frame) noexcept { FrameArena::deallocate(frame); }
    };
    using Handle = std::coroutine_handle<promise_type>;

    Walk(Walk&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    Walk& operator=(Walk&& other) noexcept {
        std::swap(handle_, other.handle_);
        return *this;
    }
    ~Walk() {
        if (handle_) handle_.destroy();
    }

    /// Runs to the next pause or to the end; true at the end. Rethrows what the walk threw.
    bool resume() {
        handle_.resume();
        if (handle_.promise().error) std::rethrow_exception(std::exchange(handle_.promise().error, nullptr));
        return handle_.done();
    }
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    explicit Walk(Handle handle) noexcept : handle_(handle) {}
    Handle handle_;
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

Walk cpu_metrics(Writer& w, const Snapshot& snapshot) {
    const sample::CpuReading& r = snapshot.cpu;
    const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    w.family("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.");
    for (const sample::CpuLine& cpu : r.stat.cpus) {
        const sample::CpuTimes& t = cpu.times;
        // The kernel's user and nice include guest time; node_exporter reports them as printed.
        const std::uint64_t values[] = {t.user, t.nice, t.system, t.idle, t.iowait, t.irq, t.softirq, t.steal};
        for (std::size_t i = 0; i < 8; ++i)
            w.sample("node_cpu_seconds_total", {{"cpu", cpu_label(cpu.id)}, {"mode", mode_names[i]}},
                     static_cast<double>(values[i]) / hz);
        if (w.step_full()) co_yield pause;
    }
    w.family("node_cpu_guest_seconds_total", "counter", "Seconds the CPUs spent in guests (VMs) for each mode.");
    for (const sample::CpuLine& cpu : r.stat.cpus) {
        w.sample("node_cpu_guest_seconds_total", {{"cpu", cpu_label(cpu.id)}, {"mode", "user"}},
                 static_cast<double>(cpu.times.guest) / hz);
        w.sample("node_cpu_guest_seconds_total", {{"cpu", cpu_label(cpu.id)}, {"mode", "nice"}},
                 static_cast<double>(cpu.times.guest_nice) / hz);
        if (w.step_full()) co_yield pause;
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

Walk memory_metrics(Writer& w, const Snapshot& snapshot) {
    const sample::MemoryReading& r = snapshot.memory;
    std::string& name = w.name;
    for (const sample::MemField& f : r.meminfo.fields) {
        if (w.step_full()) co_yield pause;
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
        w.family(name, "gauge",
                 f.bytes ? "Memory information field, from /proc/meminfo, in bytes."
                         : "Memory information field, from /proc/meminfo.");
        w.sample(name, {}, static_cast<double>(f.value));
    }
    // node_exporter's vmstat collector, with its default fields: ^(oom_kill|pgpg|pswp|pg.*fault).
    for (const sample::NamedValue& v : r.vmstat) {
        std::string_view field = v.name;
        bool wanted = field.starts_with("oom_kill") || field.starts_with("pgpg") || field.starts_with("pswp") ||
                      (field.starts_with("pg") && field.find("fault") != std::string_view::npos);
        if (!wanted) continue;
        name = "node_vmstat_";
        name += field;
        w.help = "/proc/vmstat information field ";
        w.help += field;
        w.help += '.';
        w.single(name, "untyped", w.help, static_cast<double>(v.value));
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

Walk disk_metrics(Writer& w, const Snapshot& snapshot) {
    using F = sample::DiskCounters;
    struct Family {
        std::string_view name, type, help;
        F::Field field;
        double scale;
        std::size_t needs;  // fields the kernel must print
    };
    static constexpr Family families[] = {
        {"node_disk_reads_completed_total", "counter", "The total number of reads completed successfully.", F::reads, 1,
         11},
        {"node_disk_reads_merged_total", "counter", "The total number of reads merged.", F::reads_merged, 1, 11},
        {"node_disk_read_bytes_total", "counter", "The total number of bytes read successfully.", F::sectors_read, 512,
         11},
        {"node_disk_read_time_seconds_total", "counter", "The total number of seconds spent by all reads.", F::read_ms,
         0.001, 11},
        {"node_disk_writes_completed_total", "counter", "The total number of writes completed successfully.", F::writes,
         1, 11},
        {"node_disk_writes_merged_total", "counter", "The number of writes merged.", F::writes_merged, 1, 11},
        {"node_disk_written_bytes_total", "counter", "The total number of bytes written successfully.",
         F::sectors_written, 512, 11},
        {"node_disk_write_time_seconds_total", "counter", "This is the total number of seconds spent by all writes.",
         F::write_ms, 0.001, 11},
        {"node_disk_io_now", "gauge", "The number of I/Os currently in progress.", F::in_flight, 1, 11},
        {"node_disk_io_time_seconds_total", "counter", "Total seconds spent doing I/Os.", F::io_ms, 0.001, 11},
        {"node_disk_io_time_weighted_seconds_total", "counter", "The weighted # of seconds spent doing I/Os.",
         F::weighted_io_ms, 0.001, 11},
        {"node_disk_discards_completed_total", "counter", "The total number of discards completed successfully.",
         F::discards, 1, 15},
        {"node_disk_discards_merged_total", "counter", "The total number of discards merged.", F::discards_merged, 1,
         15},
        {"node_disk_discarded_sectors_total", "counter", "The total number of sectors discarded successfully.",
         F::sectors_discarded, 1, 15},
        {"node_disk_discard_time_seconds_total", "counter",
         "This is the total number of seconds spent by all discards.", F::discard_ms, 0.001, 15},
        {"node_disk_flush_requests_total", "counter", "The total number of flush requests completed successfully",
         F::flushes, 1, 17},
        {"node_disk_flush_requests_time_seconds_total", "counter",
         "This is the total number of seconds spent by all flush requests.", F::flush_ms, 0.001, 17},
    };
    const auto& disks = snapshot.disk.disks;
    for (const Family& f : families) {
        w.family(f.name, f.type, f.help);
        for (const sample::DiskEntry& d : disks) {
            if (d.line.counters.count >= f.needs)
                w.sample(f.name, {{"device", d.line.name}}, static_cast<double>(d.line.counters[f.field]) * f.scale);
            if (w.step_full()) co_yield pause;
        }
    }
    const sample::Pressure& io = snapshot.disk.pressure;
    if (io.available) {
        w.single("node_pressure_io_waiting_seconds_total", "counter",
                 "Total time in seconds that processes have waited due to IO congestion",
                 static_cast<double>(io.some.total_us) / 1e6);
        w.single("node_pressure_io_stalled_seconds_total", "counter",
                 "Total time in seconds no process could make progress due to IO congestion",
                 static_cast<double>(io.full.total_us) / 1e6);
    }
}

Walk filesystem_metrics(Writer& w, const Snapshot& snapshot) {
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
    const auto& list = snapshot.filesystems.filesystems;
    for (const Family& f : families) {
        w.family(f.name, "gauge", f.help);
        for (const sample::FilesystemEntry& e : list) {
            if (e.has_space)
                w.sample(f.name,
                         {{"device", e.mount.source}, {"fstype", e.mount.fstype}, {"mountpoint", e.mount.mount_point}},
                         static_cast<double>(e.space.*f.field));
            if (w.step_full()) co_yield pause;
        }
    }
    w.family("node_filesystem_readonly", "gauge", "Filesystem read-only status.");
    for (const sample::FilesystemEntry& e : list) {
        w.sample("node_filesystem_readonly",
                 {{"device", e.mount.source}, {"fstype", e.mount.fstype}, {"mountpoint", e.mount.mount_point}},
                 e.mount.read_only ? 1 : 0);
        if (w.step_full()) co_yield pause;
    }
    w.family("node_filesystem_device_error", "gauge",
             "Whether an error occurred while getting statistics for the given device.");
    for (const sample::FilesystemEntry& e : list) {
        w.sample("node_filesystem_device_error",
                 {{"device", e.mount.source}, {"fstype", e.mount.fstype}, {"mountpoint", e.mount.mount_point}},
                 e.has_space ? 0 : 1);
        if (w.step_full()) co_yield pause;
    }
}

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
    w.single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
             static_cast<double>(p.resident_pages) * static_cast<double>(::sysconf(_SC_PAGESIZE)));
    w.single("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
             static_cast<double>(snapshot.cpu.stat.btime) + static_cast<double>(p.start_ticks) / hz);
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

using Section = Walk (*)(Writer&, const Snapshot&);
constexpr Section sections[] = {cpu_metrics,  memory_metrics, disk_metrics, filesystem_metrics,
                                node_metrics, self_metrics,   end_metrics};
constexpr std::size_t section_count = std::size(sections);

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
}

}  // namespace

void Snapshot::take(const monitor::Monitor& monitor, const ServerFigures& figures) {
    if (::uname(&uname) != 0) uname = {};
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    time_seconds = static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
    take_process(*this);
    cpu = monitor.cpu();
    memory = monitor.memory();
    disk = monitor.disk();
    filesystems = monitor.filesystems();
    for (monitor::Group g : monitor::all_groups) {
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
        if (!s.walk) s.walk.emplace(sections[s.section](s.writer, s.snapshot));
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
