#pragma once
// One group as the monitor runs it: its sampler, its history figures, its JSON and its
// share of the exposition text, behind one interface. Each group implements it once, in
// its own file (lib/src/groups/), and has one row in the group table.
#include <pcm/async/value_task.hpp>
#include <pcm/config/config.hpp>
#include <pcm/monitor/group.hpp>
#include <pcm/monitor/history.hpp>
#include <pcm/sample/reading.hpp>

#include <uv.h>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <span>
#include <string_view>

namespace pcm::metrics {
class GroupExposition;
}

namespace pcm::monitor {

/// A group's sampler with everything that renders its readings. Use on the loop's thread.
class GroupSampler {
public:
    virtual ~GroupSampler() = default;

    /// Takes a sample. The task completes once the reading is whole: at once for groups
    /// that read procfs on the loop, later for filesystems (statvfs runs on worker
    /// threads). What runs before it returns is the sample's cost on the loop.
    virtual async::ValueTask<void> sample() = 0;
    /// The latest reading's header: sequence 0 until the first sample.
    virtual const sample::ReadingHeader& header() const noexcept = 0;
    /// The latest reading's history figures, in the order of the kind's figure names;
    /// NaN where the reading has none (no rate yet).
    virtual void figures(std::array<double, max_figures>& values) const noexcept = 0;
    /// The latest reading as GET's "data" member.
    virtual nlohmann::json data() const = 0;
    /// Adds the group's own members to its STATS entry (most groups have none).
    virtual void add_stats(nlohmann::json& stats) const { (void)stats; }
    /// Takes the group's part of a new, valid configuration, from the next sample on.
    virtual void apply(const config::Config& config) = 0;
    /// A holder of copies of this group's readings that writes them as exposition text;
    /// it refers to this sampler, which must outlive it.
    virtual std::unique_ptr<metrics::GroupExposition> exposition() const = 0;
};

/// A row of the group table: what is known of a group before it has a sampler.
struct GroupKind {
    Group group;
    /// HISTORY's figures, in the order of HistoryPoint::values (at most max_figures).
    std::span<const std::string_view> figure_names;
    /// The group's sampling interval in a configuration.
    std::chrono::milliseconds (*interval)(const config::Config& config);
    /// Makes the group's sampler; throws std::invalid_argument for an invalid pattern.
    std::unique_ptr<GroupSampler> (*make)(uv_loop_t* loop, const config::Config& config);
};

/// The row of `group` in the group table (lib/src/groups/table.cpp).
const GroupKind& kind(Group group) noexcept;

}  // namespace pcm::monitor
