#include <pcm/monitor/tick_stats.hpp>

#include <algorithm>

namespace pcm::monitor {

void TickStats::Accumulator::add(std::int64_t value, bool first) noexcept {
    min = first ? value : std::min(min, value);
    max = first ? value : std::max(max, value);
    sum += static_cast<double>(value);
}

void TickStats::record(std::int64_t lateness_ns, std::int64_t cost_ns, bool failed) noexcept {
    lateness_ns = std::max<std::int64_t>(lateness_ns, 0);  // a timer a hair early is on time
    bool first = samples_ == 0;
    cost_.add(cost_ns, first);
    lateness_.add(lateness_ns, first);
    recent_lateness_[samples_ % window] = lateness_ns;
    ++samples_;
    errors_ += failed;
}

TickStats::Summary TickStats::summary() const noexcept {
    Summary s;
    s.samples = samples_;
    s.errors = errors_;
    if (samples_ == 0) return s;
    double n = static_cast<double>(samples_);
    s.cost_ns = {cost_.min, cost_.max, 0, cost_.sum / n};
    s.lateness_ns = {lateness_.min, lateness_.max, 0, lateness_.sum / n};

    std::array<std::int64_t, window> recent = recent_lateness_;
    std::size_t count = std::min<std::size_t>(samples_, window);
    std::size_t rank = count == 0 ? 0 : (count * 99 + 99) / 100 - 1;  // nearest-rank p99
    std::nth_element(recent.begin(), recent.begin() + static_cast<long>(rank),
                     recent.begin() + static_cast<long>(count));
    s.lateness_ns.p99 = recent[rank];
    return s;
}

}  // namespace pcm::monitor
