#include <pcm/sample/timex.hpp>

namespace pcm::sample {

TimexFigures timex_figures(const struct timex& t, int state) noexcept {
    constexpr double micro = 1e6, nano = 1e9, ppm_16bit = 1e6 * 65536.0;
    const double offset_unit = (t.status & STA_NANO) != 0 ? nano : micro;
    TimexFigures f;
    f.sync_status = state == TIME_ERROR ? 0 : 1;
    f.offset_seconds = static_cast<double>(t.offset) / offset_unit;
    f.frequency_adjustment_ratio = 1 + static_cast<double>(t.freq) / ppm_16bit;
    f.maxerror_seconds = static_cast<double>(t.maxerror) / micro;
    f.estimated_error_seconds = static_cast<double>(t.esterror) / micro;
    f.status = t.status;
    f.loop_time_constant = static_cast<double>(t.constant);
    f.tick_seconds = static_cast<double>(t.tick) / micro;
    f.pps_frequency_hertz = static_cast<double>(t.ppsfreq) / ppm_16bit;
    f.pps_jitter_seconds = static_cast<double>(t.jitter) / offset_unit;
    f.pps_shift_seconds = t.shift;
    f.pps_stability_hertz = static_cast<double>(t.stabil) / ppm_16bit;
    f.pps_jitter_total = static_cast<double>(t.jitcnt);
    f.pps_calibration_total = static_cast<double>(t.calcnt);
    f.pps_error_total = static_cast<double>(t.errcnt);
    f.pps_stability_exceeded_total = static_cast<double>(t.stbcnt);
    f.tai_offset_seconds = t.tai;
    return f;
}

}  // namespace pcm::sample
