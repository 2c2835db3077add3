#pragma once
// Readings and daemon figures as JSON, for the local protocol.
#include <pcm/metrics/prometheus.hpp>
#include <pcm/monitor/monitor.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace pcm::server {

/// A group's latest reading: sequence, both timestamps, measured interval, error (or
/// null) and the figures. Percentages are 0-100; sizes are bytes; rates are per second.
nlohmann::json reading_json(const monitor::Monitor& monitor, monitor::Group group);

/// STATS's reply body: uptime; per group samples, errors, skipped ticks, waiting, the last
/// fan-out, cost and lateness (µs); for filesystems `failing` and `statfs_stuck`; the
/// waiter pool; coroutine frames; clients, refusals, drops, read pauses, queued bytes, the
/// HTTP counters, requests and bytes.
nlohmann::json stats_json(const monitor::Monitor& monitor, const metrics::ServerFigures& figures);

/// Appends HISTORY's reply line to `out`: {"ok":true,"history":{...}} with the group,
/// the seconds asked for, the figure names, the points as [wall_ms, value...] (null for
/// none) and each figure's min/avg/max over them. Written as text directly, not through a
/// JSON tree: 3,600 points take about a millisecond instead of several.
/// Appends one history point as HISTORY writes it: [wall_ms, value...] (null for none).
void append_history_point(std::string& out, const monitor::HistoryPoint& point);

void append_history_reply(std::string& out, const monitor::Monitor& monitor, monitor::Group group,
                          std::chrono::seconds span);

}  // namespace pcm::server
