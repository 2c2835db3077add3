#include <pcm/server/render.hpp>

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
        json entry = {{"mount_point", f.mount.mount_point}, {"device", f.mount.source}, {"fstype", f.mount.fstype}};
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

void append_history_reply(std::string& out, const monitor::Monitor& m, Group group, double seconds) {
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
        out += i == 0 ? "[" : ",[";
        append_number(out, static_cast<double>(points[i].wall_ns / 1'000'000));
        for (double v : points[i].values) {
            out += ',';
            append_number(out, v);
        }
        out += ']';
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

}  // namespace pcm::server
