#pragma once
// The recent past of a group: a ring of small points with its main figures.
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <pcm/monitor/group.hpp>

namespace pcm::monitor {

inline constexpr std::size_t max_figures = 4;

/// One sample's main figures; NaN where the sample had none (e.g. no rate yet).
struct HistoryPoint {
    std::uint64_t sequence = 0;
    std::int64_t mono_ns = 0;
    std::int64_t wall_ns = 0;
    std::array<double, max_figures> values{};
};

/// The names of a group's figures, in the order of HistoryPoint::values.
std::span<const std::string_view> figure_names(Group group) noexcept;

struct FigureSummary {
    double min = NAN, avg = NAN, max = NAN;
    std::size_t count = 0;
};

/// Keeps the newest `capacity` points; storage is allocated once, at construction or resize.
/// Points are stored in 32 bytes (figures as float, sequence implied by position: a
/// group's samples are numbered consecutively), so an hour at 1 s is 115 KiB per group.
class History {
public:
    explicit History(std::size_t capacity) : points_(capacity) {}

    void push(const HistoryPoint& point) noexcept;

    /// Changes the capacity, keeping the newest points that fit.
    void resize(std::size_t capacity);

    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return points_.size(); }

    /// Appends to `out` the points taken at or after `since_mono_ns`, oldest first, and
    /// summarises each figure over them.
    void since(std::int64_t since_mono_ns, std::vector<HistoryPoint>& out,
               std::array<FigureSummary, max_figures>& summary) const;

private:
    struct Stored {
        std::int64_t mono_ns;
        std::int64_t wall_ns;
        std::array<float, max_figures> values;
    };
    const Stored& at(std::size_t age) const noexcept;  // 0: newest
    HistoryPoint expand(std::size_t age) const noexcept;

    std::vector<Stored> points_;
    std::uint64_t newest_sequence_ = 0;
    std::size_t next_ = 0, size_ = 0;
};

}  // namespace pcm::monitor
