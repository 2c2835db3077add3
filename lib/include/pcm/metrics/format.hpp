#pragma once
// The exposition formats the daemon writes.

namespace pcm::metrics {

/// The two exposition formats: Prometheus text 0.0.4, and OpenMetrics 1.0 (counter
/// families named without "_total" in HELP/TYPE, and a closing "# EOF").
enum class Format { prometheus_text, openmetrics };

}  // namespace pcm::metrics
