#pragma once
// The daemon's readings in the Prometheus text exposition format, under node_exporter's
// metric names, labels and units where it covers the same counter.
#include <pcm/metrics/format.hpp>
#include <pcm/metrics/group_exposition.hpp>
#include <pcm/monitor/monitor.hpp>
#include <pcm/sample/process_stat.hpp>

#include <sys/utsname.h>

#include <array>
#include <cstddef>
#include <memory>
#include <string>

namespace pcm::metrics {

/// Self-figures the monitor does not know: connected clients, bytes served.
/// Connections refused or dropped, by reason (the local socket and the HTTP listener).
struct ClientCounters {
    std::uint64_t rejected_max_clients = 0;  ///< too_many_clients: max_clients (or the unreserved part) full
    std::uint64_t rejected_per_uid = 0;      ///< too_many_clients_for_uid: limits.max_clients_per_uid
    std::uint64_t rejected_no_fd = 0;        ///< accept failed: EMFILE/ENFILE (out of descriptors)
    std::uint64_t dropped_budget = 0;        ///< over limits.output_budget_bytes, furthest behind
    std::uint64_t dropped_queue_full = 0;    ///< a subscriber over limits.output_queue_bytes
    std::uint64_t dropped_idle = 0;          ///< limits.idle_timeout_ms
    std::uint64_t read_pauses = 0;           ///< backpressure: reading stopped at limits.read_pause_bytes
    std::uint64_t http_dropped_oldest = 0;   ///< over http.max_connections: the oldest closed
    std::uint64_t http_write_timeouts = 0;   ///< reply not taken within http.write_timeout_ms
    std::uint64_t http_rejected = 0;         ///< 400/404/405/408/431/505 replies
};

struct ServerFigures {
    std::size_t clients = 0;
    std::uint64_t bytes_in = 0, bytes_out = 0, requests = 0;
    std::size_t queued_bytes = 0;  ///< replies queued for all socket clients
    ClientCounters counters;
    double uptime_s = 0;
};

/// The monitor's figures copied at one moment, so that a render in steps describes one
/// sample of each group while the monitor samples on. Taken by copy-assignment: once the
/// same CPUs, devices and mounts come back, taking it allocates nothing.
struct Snapshot {
    /// Each group's copy of its reading, made by the group (the monitor they came from:
    /// a snapshot taken of another monitor makes them again).
    std::array<std::unique_ptr<GroupExposition>, monitor::all_groups.size()> groups;
    std::uint64_t source = 0;  ///< Monitor::instance() of the monitor they came from
    std::array<monitor::TickStats::Summary, monitor::all_groups.size()> stats{};
    std::array<bool, monitor::all_groups.size()> errors_now{};  ///< the group's last sample reported an error
    async::PoolCounters waiter_pool;
    ServerFigures server;
    // What node_exporter reports beside the samples: the kernel's identity (node_uname_info,
    // which dashboards select their hosts by), the wall clock, and the exporter's own process.
    utsname uname{};
    double time_seconds = 0;
    double zone_offset_seconds = 0;  ///< of local time, and its name (node_time_zone_offset_seconds)
    char zone_name[16] = {};
    sample::ProcessStat process;   ///< this daemon's /proc/self/stat
    double boot_time_seconds = 0;  ///< the kernel's btime, for the process's start time
    std::uint64_t open_fds = 0, max_fds = 0;
    double virtual_memory_max_bytes = 0;  ///< RLIMIT_AS (2^64 when unlimited, as node_exporter prints it)

    void take(const monitor::Monitor& monitor, const ServerFigures& figures);
};

/// A render of the exposition text in steps of about a given size, so that a machine with
/// thousands of CPUs and disks (megabytes of text) never holds its loop for the whole text.
/// Allocation-free once warm: the snapshot and `out` reuse their storage, and the
/// coroutine that walks the families lives in a buffer of this object.
class PrometheusRender {
public:
    PrometheusRender();
    ~PrometheusRender();
    PrometheusRender(const PrometheusRender&) = delete;
    PrometheusRender& operator=(const PrometheusRender&) = delete;

    /// Takes a snapshot of `monitor` and `figures` and starts over (a render under way is
    /// dropped).
    void start(const monitor::Monitor& monitor, const ServerFigures& figures, Format format);
    /// Appends the next part of the text to `out`: whole lines, at least `step_bytes` of
    /// them unless the text ends first. True once the whole text has been appended.
    bool step(std::string& out, std::size_t step_bytes);
    /// True when no render is under way.
    bool done() const noexcept;

    struct State;

private:
    std::unique_ptr<State> state_;
};

/// Writes every family (HELP, TYPE, samples) to `out` in one go, replacing its content;
/// the buffer's capacity is reused, so a steady scrape allocates nothing. Values are in
/// base units (seconds, bytes); CPU times are converted from USER_HZ ticks.
void render_prometheus(const monitor::Monitor& monitor, const ServerFigures& server, std::string& out,
                       Format format = Format::prometheus_text);

}  // namespace pcm::metrics
