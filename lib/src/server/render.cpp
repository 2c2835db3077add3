#include <pcm/server/render.hpp>

#include <pcm/async/task.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <vector>

namespace pcm::server {
namespace {

using monitor::Group;
using nlohmann::json;

template <class T>
json optional_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json share_json(const std::optional<sample::CpuShare>& s) {
    if (!s) return nullptr;
    return {{"busy", s->busy},     {"user", s->user},   {"system", s->system},
            {"iowait", s->iowait}, {"steal", s->steal}, {"idle", s->idle}};
}

json pressure_json(const sample::Pressure& p) {
    if (!p.available) return nullptr;
    auto line = [](const sample::PressureLine& l) -> json {
        if (!l.present) return nullptr;
        return {{"avg10", l.avg10}, {"avg60", l.avg60}, {"avg300", l.avg300}, {"total_us", l.total_us}};
    };
    return {{"some", line(p.some)}, {"full", line(p.full)}};
}

json cpu_json(const monitor::Monitor& m) {
    const sample::CpuReading& r = m.cpu();
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
    if (m.config().cpu.per_cpu) {
        json cpus = json::array();
        for (const auto& c : r.cpus) cpus.push_back({{"cpu", c.id}, {"share", share_json(c.share)}});
        j["cpus"] = std::move(cpus);
    }
    return j;
}

json memory_json(const monitor::Monitor& m) {
    const sample::MemoryReading& r = m.memory();
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

json disk_json(const monitor::Monitor& m) {
    json disks = json::array();
    for (const sample::DiskEntry& d : m.disk().disks) {
        const sample::DiskCounters& c = d.line.counters;
        json entry = {{"device", d.line.name},
                      {"read_bytes", c[sample::DiskCounters::sectors_read] * 512},
                      {"written_bytes", c[sample::DiskCounters::sectors_written] * 512},
                      {"reads", c[sample::DiskCounters::reads]},
                      {"writes", c[sample::DiskCounters::writes]},
                      {"in_flight", c[sample::DiskCounters::in_flight]}};
        if (d.rates) {
            entry["rates"] = {{"read_bytes_per_s", d.rates->read_bytes_per_s},
                              {"write_bytes_per_s", d.rates->write_bytes_per_s},
                              {"reads_per_s", d.rates->reads_per_s},
                              {"writes_per_s", d.rates->writes_per_s},
                              {"utilization_percent", d.rates->utilization_percent},
                              {"await_ms", d.rates->await_ms},
                              {"queue_depth", d.rates->queue_depth}};
        } else {
            entry["rates"] = nullptr;
        }
        disks.push_back(std::move(entry));
    }
    return {{"disks", std::move(disks)}, {"pressure", pressure_json(m.disk().pressure)}};
}

json filesystem_json(const monitor::Monitor& m) {
    json list = json::array();
    for (const sample::FilesystemEntry& f : m.filesystems().filesystems) {
        json entry = {{"mount_point", f.mount.mount_point},
                      {"device", f.mount.source},
                      {"fstype", f.mount.fstype},
                      {"read_only", f.mount.read_only}};
        if (f.has_space) {
            entry.update({{"size", f.space.size},
                          {"free", f.space.free},
                          {"available", f.space.available},
                          {"used_percent", f.space.used_percent},
                          {"files", f.space.files},
                          {"files_free", f.space.files_free},
                          {"error", nullptr}});
        } else {
            entry["error"] = f.error.c_str();
        }
        list.push_back(std::move(entry));
    }
    return {{"filesystems", std::move(list)}};
}

}  // namespace

json reading_json(const monitor::Monitor& m, Group group) {
    const sample::ReadingHeader& h = m.header(group);
    json data;
    switch (group) {
        case Group::cpu: data = cpu_json(m); break;
        case Group::memory: data = memory_json(m); break;
        case Group::disk: data = disk_json(m); break;
        case Group::filesystem: data = filesystem_json(m); break;
    }
    return {{"group", monitor::name(group)},
            {"sequence", h.sequence},
            {"time_ms", h.taken.wall_ns / 1'000'000},
            {"interval_s", h.interval_s},
            {"error", h.error.empty() ? json(nullptr) : json(h.error.c_str())},
            {"data", std::move(data)}};
}

namespace {

void append_number(std::string& out, double value) {
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    char digits[32];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, end);
}

// Group and figure names are fixed identifiers: nothing in them needs escaping.
void append_name(std::string& out, std::string_view name) {
    out += '"';
    out += name;
    out += '"';
}

}  // namespace

void append_history_point(std::string& out, const monitor::HistoryPoint& point) {
    out += '[';
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, point.wall_ns / 1'000'000);  // whole ms
    out.append(digits, end);
    for (double v : point.values) {
        out += ',';
        append_number(out, v);
    }
    out += ']';
}

void append_history_reply(std::string& out, const monitor::Monitor& m, Group group, std::chrono::seconds span) {
    const double seconds = static_cast<double>(span.count());
    static thread_local std::vector<monitor::HistoryPoint> points;  // capacity kept between requests
    points.clear();
    std::array<monitor::FigureSummary, monitor::max_figures> summary;
    m.history(group, seconds, points, summary);
    auto names = monitor::figure_names(group);
    out += R"({"ok":true,"history":{"group":)";
    append_name(out, monitor::name(group));
    out += R"(,"seconds":)";
    append_number(out, seconds);
    out += R"(,"figures":[)";
    for (std::size_t f = 0; f < names.size(); ++f) {
        if (f > 0) out += ',';
        append_name(out, names[f]);
    }
    out += R"(],"points":[)";
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (i > 0) out += ',';
        append_history_point(out, points[i]);
    }
    out += R"(],"summary":{)";
    for (std::size_t f = 0; f < names.size(); ++f) {
        if (f > 0) out += ',';
        append_name(out, names[f]);
        out += R"(:{"min":)";
        append_number(out, summary[f].min);
        out += R"(,"avg":)";
        append_number(out, summary[f].avg);
        out += R"(,"max":)";
        append_number(out, summary[f].max);
        out += '}';
    }
    out += "}}}\n";
}

json stats_json(const monitor::Monitor& m, const metrics::ServerFigures& f) {
    json groups = json::object();
    for (Group g : monitor::all_groups) {
        monitor::TickStats::Summary s = m.stats(g);
        groups[std::string(monitor::name(g))] = {
            {"samples", s.samples},
            {"errors", s.errors},
            {"skipped_ticks", m.skipped_ticks(g)},
            {"waiting", m.waiting(g)},
            {"last_fan_out",
             {{"waiters", m.last_fan_out(g).waiters}, {"us", static_cast<double>(m.last_fan_out(g).ns) / 1e3}}},
            {"cost_us",
             {{"min", static_cast<double>(s.cost_ns.min) / 1e3},
              {"avg", s.cost_ns.avg / 1e3},
              {"max", static_cast<double>(s.cost_ns.max) / 1e3}}},
            {"lateness_us",
             {{"min", static_cast<double>(s.lateness_ns.min) / 1e3},
              {"avg", s.lateness_ns.avg / 1e3},
              {"p99", static_cast<double>(s.lateness_ns.p99) / 1e3},
              {"max", static_cast<double>(s.lateness_ns.max) / 1e3}}}};
    }
    json& fs = groups[std::string(monitor::name(Group::filesystem))];
    const auto& mounts = m.filesystems().filesystems;
    fs["failing"] = std::count_if(mounts.begin(), mounts.end(), [](const auto& mount) { return !mount.has_space; });
    fs["statfs_stuck"] = m.statfs_stuck();
    async::PoolCounters pool = m.waiter_pool();
    async::FrameCounters frames = async::frame_counters();
    return {
        {"uptime_s", f.uptime_s},
        {"groups", std::move(groups)},
        {"waiter_pool",
         {{"created", pool.created},
          {"rented", pool.rented},
          {"returned", pool.returned},
          {"dropped", pool.dropped},
          {"in_use", pool.rented - pool.returned}}},
        {"coroutine_frames", {{"allocated", frames.allocated}, {"freed", frames.freed}}},
        {"clients", f.clients},
        {"clients_rejected", f.counters.rejected_max_clients + f.counters.rejected_per_uid + f.counters.rejected_no_fd},
        {"rejected",
         {{"max_clients", f.counters.rejected_max_clients},
          {"per_uid", f.counters.rejected_per_uid},
          {"no_descriptors", f.counters.rejected_no_fd}}},
        {"dropped",
         {{"output_budget", f.counters.dropped_budget},
          {"output_queue", f.counters.dropped_queue_full},
          {"idle", f.counters.dropped_idle}}},
        {"read_pauses", f.counters.read_pauses},
        {"queued_bytes", f.queued_bytes},
        {"http",
         {{"dropped_max_connections", f.counters.http_dropped_oldest},
          {"write_timeouts", f.counters.http_write_timeouts},
          {"rejected", f.counters.http_rejected}}},
        {"requests", f.requests},
        {"bytes_in", f.bytes_in},
        {"bytes_out", f.bytes_out}};
}

}  // namespace pcm::server
