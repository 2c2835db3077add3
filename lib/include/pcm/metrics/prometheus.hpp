#pragma once
// The daemon's readings in the Prometheus text exposition format, under node_exporter's
// metric names, labels and units where it covers the same counter.
#include <pcm/monitor/monitor.hpp>

#include <string>

namespace pcm::metrics {

/// Self-figures the monitor does not know: connected clients, bytes served.
struct ServerFigures {
    std::size_t clients = 0;
    std::uint64_t bytes_in = 0, bytes_out = 0, requests = 0;
    double uptime_s = 0;
};

/// The two exposition formats: Prometheus text 0.0.4, and OpenMetrics 1.0 (counter
/// families named without "_total" in HELP/TYPE, and a closing "# EOF").
enum class Format { prometheus_text, openmetrics };

/// Writes every family (HELP, TYPE, samples) to `out`, replacing its content; the
/// buffer's capacity is reused, so a steady scrape allocates nothing. Values are in base
/// units (seconds, bytes); CPU times are converted from USER_HZ ticks.
void render_prometheus(const monitor::Monitor& monitor, const ServerFigures& server, std::string& out,
                       Format format = Format::prometheus_text);

/// Escapes a label value: backslash, double quote and newline.
void append_label_value(std::string& out, std::string_view value);

}  // namespace pcm::metrics
