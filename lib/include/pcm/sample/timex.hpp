#pragma once
// The kernel clock discipline as adjtimex(2) reports it, in node_exporter's timex units.
#include <sys/timex.h>

namespace pcm::sample {

/// node_exporter 1.5's sixteen node_timex_* figures, in base units (seconds, hertz, ratio).
struct TimexFigures {
    double sync_status = 0;  ///< 1 unless adjtimex returned TIME_ERROR
    double offset_seconds = 0, frequency_adjustment_ratio = 1, maxerror_seconds = 0, estimated_error_seconds = 0;
    double status = 0, loop_time_constant = 0, tick_seconds = 0;
    double pps_frequency_hertz = 0, pps_jitter_seconds = 0, pps_shift_seconds = 0, pps_stability_hertz = 0;
    double pps_jitter_total = 0, pps_calibration_total = 0, pps_error_total = 0, pps_stability_exceeded_total = 0;
    double tai_offset_seconds = 0;
};

/// Converts what adjtimex(2) filled in (`state`: its return value) into figures: offsets
/// and jitter in nanoseconds when STA_NANO is set, else microseconds; frequencies in
/// parts per million with a 16-bit fraction.
TimexFigures timex_figures(const struct timex& t, int state) noexcept;

}  // namespace pcm::sample
