#include <pcm/monitor/history.hpp>

#include <pcm/monitor/group_sampler.hpp>

#include <algorithm>

namespace pcm::monitor {

std::span<const std::string_view> figure_names(Group group) noexcept { return kind(group).figure_names; }

void History::push(const HistoryPoint& point) noexcept {
    if (points_.empty()) return;
    Stored& stored = points_[next_];
    stored.mono_ns = point.mono_ns;
    stored.wall_ns = point.wall_ns;
    for (std::size_t f = 0; f < max_figures; ++f) stored.values[f] = static_cast<float>(point.values[f]);
    newest_sequence_ = point.sequence;
    next_ = (next_ + 1) % points_.size();
    size_ = std::min(size_ + 1, points_.size());
}

const History::Stored& History::at(std::size_t age) const noexcept {
    return points_[(next_ + points_.size() - 1 - age) % points_.size()];
}

HistoryPoint History::expand(std::size_t age) const noexcept {
    const Stored& s = at(age);
    HistoryPoint p{newest_sequence_ - age, s.mono_ns, s.wall_ns, {}};
    for (std::size_t f = 0; f < max_figures; ++f) p.values[f] = s.values[f];
    return p;
}

void History::resize(std::size_t capacity) {
    if (capacity == points_.size()) return;
    std::vector<Stored> kept(capacity);
    std::size_t keep = std::min(size_, capacity);
    for (std::size_t i = 0; i < keep; ++i) kept[keep - 1 - i] = at(i);
    points_ = std::move(kept);
    size_ = keep;
    next_ = capacity == 0 ? 0 : keep % capacity;
}

void History::since(std::int64_t since_mono_ns, std::vector<HistoryPoint>& out,
                    std::array<FigureSummary, max_figures>& summary) const {
    std::size_t count = 0;
    while (count < size_ && at(count).mono_ns >= since_mono_ns) ++count;
    summary = {};
    std::array<double, max_figures> sums{};
    for (std::size_t age = count; age-- > 0;) {
        HistoryPoint p = expand(age);
        out.push_back(p);
        for (std::size_t f = 0; f < max_figures; ++f) {
            double v = p.values[f];
            if (std::isnan(v)) continue;
            FigureSummary& s = summary[f];
            s.min = s.count == 0 ? v : std::min(s.min, v);
            s.max = s.count == 0 ? v : std::max(s.max, v);
            sums[f] += v;
            ++s.count;
        }
    }
    for (std::size_t f = 0; f < max_figures; ++f)
        if (summary[f].count > 0) summary[f].avg = sums[f] / static_cast<double>(summary[f].count);
}

}  // namespace pcm::monitor
