#include <pcm/sample/timex.hpp>

#include <doctest/doctest.h>

using pcm::sample::timex_figures;

TEST_CASE("timex: microsecond and nanosecond offsets, 16-bit ppm frequencies, the sync state") {
    struct timex t {};
    t.offset = -2500;
    t.freq = 65536 * 10;  // +10 ppm
    t.maxerror = 16000;
    t.esterror = 250;
    t.status = STA_PLL;
    t.constant = 7;
    t.tick = 10000;
    t.ppsfreq = 65536 / 2;
    t.jitter = 30;
    t.shift = 4;
    t.stabil = 65536;
    t.jitcnt = 1;
    t.calcnt = 2;
    t.errcnt = 3;
    t.stbcnt = 4;
    t.tai = 37;
    auto f = timex_figures(t, TIME_OK);
    CHECK(f.sync_status == 1);
    CHECK(f.offset_seconds == doctest::Approx(-0.0025));
    CHECK(f.frequency_adjustment_ratio == doctest::Approx(1.00001));
    CHECK(f.maxerror_seconds == doctest::Approx(0.016));
    CHECK(f.estimated_error_seconds == doctest::Approx(0.00025));
    CHECK(f.status == STA_PLL);
    CHECK(f.loop_time_constant == 7);
    CHECK(f.tick_seconds == doctest::Approx(0.01));
    CHECK(f.pps_frequency_hertz == doctest::Approx(0.5e-6));
    CHECK(f.pps_jitter_seconds == doctest::Approx(30e-6));
    CHECK(f.pps_shift_seconds == 4);
    CHECK(f.pps_stability_hertz == doctest::Approx(1e-6));
    CHECK(f.pps_jitter_total + f.pps_calibration_total + f.pps_error_total + f.pps_stability_exceeded_total == 10);
    CHECK(f.tai_offset_seconds == 37);

    t.status |= STA_NANO;
    f = timex_figures(t, TIME_ERROR);
    CHECK(f.sync_status == 0);
    CHECK(f.offset_seconds == doctest::Approx(-2.5e-6));
    CHECK(f.pps_jitter_seconds == doctest::Approx(30e-9));
    CHECK(f.maxerror_seconds == doctest::Approx(0.016));  // always microseconds
}

TEST_CASE("timex: this machine's clock, read as node_exporter reads it") {
    struct timex t {};
    int state = ::adjtimex(&t);
    REQUIRE(state >= 0);
    auto f = timex_figures(t, state);
    CHECK(f.tick_seconds > 0);
    CHECK(f.frequency_adjustment_ratio > 0.99);
    CHECK(f.frequency_adjustment_ratio < 1.01);
}
