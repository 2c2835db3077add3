#include "groups.hpp"

#include <pcm/sample/memory_sampler.hpp>

#include <cctype>

namespace pcm::groups {
namespace {

using nlohmann::json;

constexpr std::string_view figure_names[] = {"used_percent", "used_bytes", "available_bytes", "swap_used_percent"};

metrics::Walk memory_families(metrics::Writer& w, const sample::MemoryReading& r) {
    std::string& name = w.name;
    for (const sample::MemField& f : r.meminfo.fields) {
        if (w.step_full()) co_yield metrics::pause;
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

class MemoryGroup final : public monitor::GroupSampler {
public:
    explicit MemoryGroup(const config::Config& config) : sampler_(config.procfs_root) {}

    async::ValueTask<void> sample() override {
        sampler_.sample();
        return async::ValueTask<void>::completed();
    }
    const sample::ReadingHeader& header() const noexcept override { return sampler_.reading().header; }

    void figures(std::array<double, monitor::max_figures>& values) const noexcept override {
        const sample::MemorySummary& m = sampler_.reading().summary;
        if (m.total > 0)
            values = {m.used_percent, static_cast<double>(m.used), static_cast<double>(m.available),
                      m.swap_used_percent};
    }

    json data() const override {
        const sample::MemoryReading& r = sampler_.reading();
        const sample::MemorySummary& s = r.summary;
        json fields = json::object();
        for (const sample::MemField& f : r.meminfo.fields) fields[f.name] = f.value;
        json vmstat = json::object();
        for (const sample::NamedValue& v : r.vmstat) vmstat[v.name] = v.value;
        return {{"total", s.total},
                {"available", s.available},
                {"used", s.used},
                {"used_percent", s.used_percent},
                {"free", s.free},
                {"buffers", s.buffers},
                {"cached", s.cached},
                {"shmem", s.shmem},
                {"dirty", s.dirty},
                {"swap_total", s.swap_total},
                {"swap_used", s.swap_used},
                {"swap_used_percent", s.swap_used_percent},
                {"meminfo", std::move(fields)},
                {"vmstat", std::move(vmstat)},
                {"pressure", pressure_json(r.pressure)}};
    }

    void apply(const config::Config& config) override { sampler_.set_proc_root(config.procfs_root); }

    std::unique_ptr<metrics::GroupExposition> exposition() const override {
        return std::make_unique<metrics::ReadingExposition<sample::MemoryReading, memory_families>>(sampler_.reading());
    }

private:
    sample::MemorySampler sampler_;
};

}  // namespace

const monitor::GroupKind memory_kind{monitor::Group::memory, figure_names,
                                     [](const config::Config& c) { return c.memory.interval; }, &make<MemoryGroup>};

}  // namespace pcm::groups
