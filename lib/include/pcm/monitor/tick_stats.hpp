#pragma once
// What a group's sampling costs and how punctual it is.
#include <array>
#include <cstddef>
#include <cstdint>

namespace pcm::monitor {

/// Counts samples and errors, and keeps the cost (CPU time) and lateness of ticks:
/// min/avg/max over all of them, and p99 of lateness over the last `window` ticks.
/// Fixed storage: recording never allocates.
class TickStats {
public:
    static constexpr std::size_t window = 1024;

    struct Spread {
        std::int64_t min = 0, max = 0, p99 = 0;
        double avg = 0;
    };
    struct Summary {
        std::uint64_t samples = 0, errors = 0;
        Spread cost_ns, lateness_ns;
    };

    void record(std::int64_t lateness_ns, std::int64_t cost_ns, bool failed) noexcept;
    Summary summary() const noexcept;

private:
    struct Accumulator {
        std::int64_t min = 0, max = 0;
        double sum = 0;
        void add(std::int64_t value, bool first) noexcept;
    };

    std::uint64_t samples_ = 0, errors_ = 0;
    Accumulator cost_, lateness_;
    std::array<std::int64_t, window> recent_lateness_{};
};

}  // namespace pcm::monitor
