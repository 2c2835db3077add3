#include <pcm/server/render.hpp>

#include <pcm/async/task.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <vector>

namespace pcm::server {
using monitor::Group;
using nlohmann::json;

json reading_json(const monitor::Monitor& m, Group group) {
    const sample::ReadingHeader& h = m.header(group);
    return {{"group", monitor::name(group)},
            {"sequence", h.sequence},
            {"time_ms", h.taken.wall_ns / 1'000'000},
            {"interval_s", h.interval_s},
            {"error", h.error.empty() ? json(nullptr) : json(h.error.c_str())},
            {"data", m.group(group).data()}};
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
        json& entry = groups[std::string(monitor::name(g))];
        entry = {{"samples", s.samples},
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
        m.group(g).add_stats(entry);
    }
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
