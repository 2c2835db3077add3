#include "groups.hpp"

#include <pcm/sample/cpu_sampler.hpp>

#include <unistd.h>

#include <charconv>

namespace pcm::groups {
namespace {

using nlohmann::json;

constexpr std::string_view figure_names[] = {"busy_percent", "iowait_percent", "load1", "context_switches_per_s"};

json share_json(const std::optional<sample::CpuShare>& s) {
    if (!s) return nullptr;
    return {{"busy", s->busy},     {"user", s->user},   {"system", s->system},
            {"iowait", s->iowait}, {"steal", s->steal}, {"idle", s->idle}};
}

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

metrics::Walk cpu_families(metrics::Writer& w, const sample::CpuReading& r) {
    const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    w.family("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.");
    for (const sample::CpuLine& cpu : r.stat.cpus) {
        const sample::CpuTimes& t = cpu.times;
        // The kernel's user and nice include guest time; node_exporter reports them as printed.
        const std::uint64_t values[] = {t.user, t.nice, t.system, t.idle, t.iowait, t.irq, t.softirq, t.steal};
        for (std::size_t i = 0; i < 8; ++i)
            w.sample("node_cpu_seconds_total", {{"cpu", cpu_label(cpu.id)}, {"mode", mode_names[i]}},
                     static_cast<double>(values[i]) / hz);
        if (w.step_full()) co_yield metrics::pause;
    }
    w.family("node_cpu_guest_seconds_total", "counter", "Seconds the CPUs spent in guests (VMs) for each mode.");
    for (const sample::CpuLine& cpu : r.stat.cpus) {
        w.sample("node_cpu_guest_seconds_total", {{"cpu", cpu_label(cpu.id)}, {"mode", "user"}},
                 static_cast<double>(cpu.times.guest) / hz);
        w.sample("node_cpu_guest_seconds_total", {{"cpu", cpu_label(cpu.id)}, {"mode", "nice"}},
                 static_cast<double>(cpu.times.guest_nice) / hz);
        if (w.step_full()) co_yield metrics::pause;
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

class CpuGroup final : public monitor::GroupSampler {
public:
    explicit CpuGroup(const config::Config& config) : sampler_(config.procfs_root), per_cpu_(config.cpu.per_cpu) {}

    async::ValueTask<void> sample() override {
        sampler_.sample();
        return async::ValueTask<void>::completed();
    }
    const sample::ReadingHeader& header() const noexcept override { return sampler_.reading().header; }

    void figures(std::array<double, monitor::max_figures>& values) const noexcept override {
        const sample::CpuReading& r = sampler_.reading();
        if (r.total) {
            values[0] = r.total->busy;
            values[1] = r.total->iowait;
        }
        if (r.header.error.empty() || r.load.tasks > 0) values[2] = r.load.load1;
        if (r.context_switches_per_s) values[3] = *r.context_switches_per_s;
    }

    json data() const override {
        const sample::CpuReading& r = sampler_.reading();
        json j = {{"total", share_json(r.total)},
                  {"online", r.stat.cpus.size()},
                  {"load", {{"1", r.load.load1}, {"5", r.load.load5}, {"15", r.load.load15}}},
                  {"runnable", r.load.runnable},
                  {"tasks", r.load.tasks},
                  {"context_switches_per_s", optional_json(r.context_switches_per_s)},
                  {"interrupts_per_s", optional_json(r.interrupts_per_s)},
                  {"forks_per_s", optional_json(r.forks_per_s)},
                  {"procs_running", r.stat.procs_running},
                  {"procs_blocked", r.stat.procs_blocked},
                  {"uptime_s", r.uptime.seconds},
                  {"pressure", pressure_json(r.pressure)}};
        if (per_cpu_) {
            json cpus = json::array();
            for (const auto& c : r.cpus) cpus.push_back({{"cpu", c.id}, {"share", share_json(c.share)}});
            j["cpus"] = std::move(cpus);
        }
        return j;
    }

    void apply(const config::Config& config) override {
        sampler_.set_proc_root(config.procfs_root);
        per_cpu_ = config.cpu.per_cpu;
    }

    std::unique_ptr<metrics::GroupExposition> exposition() const override {
        return std::make_unique<metrics::ReadingExposition<sample::CpuReading, cpu_families>>(sampler_.reading());
    }

private:
    sample::CpuSampler sampler_;
    bool per_cpu_;
};

}  // namespace

const monitor::GroupKind cpu_kind{monitor::Group::cpu, figure_names,
                                  [](const config::Config& c) { return c.cpu.interval; }, &make<CpuGroup>};

}  // namespace pcm::groups
