#pragma once
// What the walkthrough's PcMonitor hands out: one CPU reading, small enough to copy.
#include <cmath>
#include <cstdint>

namespace pcm::walkthrough {

struct CpuSample {
    std::uint64_t sequence = 0;
    double busy_percent = NAN;  ///< NaN for the first sample: no interval to compare yet
};

}  // namespace pcm::walkthrough
