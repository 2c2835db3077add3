#pragma once
// Readings and daemon figures as JSON, for the local protocol.
#include <pcm/monitor/monitor.hpp>

#include <nlohmann/json.hpp>

namespace pcm::server {

/// A group's latest reading: sequence, both timestamps, measured interval, error (or
/// null) and the figures. Percentages are 0-100; sizes are bytes; rates are per second.
nlohmann::json reading_json(const monitor::Monitor& monitor, monitor::Group group);

/// HISTORY's reply body: figure names, points as [wall_ms, value...] (null for none),
/// and each figure's min/avg/max over them.
nlohmann::json history_json(const monitor::Monitor& monitor, monitor::Group group, double seconds);

}  // namespace pcm::server
