#pragma once
// The sampling engine: every group of the group table, each on its own drift-free
// schedule, with the latest reading, a history, self-statistics, and consumers waiting
// for the next sample.
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/task.hpp>
#include <pcm/async/value_task.hpp>
#include <pcm/config/config.hpp>
#include <pcm/monitor/clock.hpp>
#include <pcm/monitor/deadline_schedule.hpp>
#include <pcm/monitor/group.hpp>
#include <pcm/monitor/group_sampler.hpp>
#include <pcm/monitor/history.hpp>
#include <pcm/monitor/sample_waiters.hpp>
#include <pcm/monitor/tick_stats.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <vector>

namespace pcm::monitor {

/// Samples every group on the loop it is given. Use on that loop's thread only.
///
/// Each group runs one coroutine, the same for every group: sleep until the group's next
/// deadline, sample, record cost and lateness, append to the history, complete the
/// waiters, notify. Nothing in a tick allocates once device and mount sets are stable.
class Monitor {
public:
    /// Samples on `scheduler`'s loop, on its clock (`LoopClock`).
    Monitor(async::LoopScheduler& scheduler, const config::Config& config);
    /// The same, with the schedule on `clock` (which must outlive the monitor): tests drive
    /// deadlines, lateness and skipped ticks with a clock that moves only when told.
    Monitor(async::LoopScheduler& scheduler, const config::Config& config, Clock& clock);
    ~Monitor();
    Monitor(const Monitor&) = delete;
    Monitor& operator=(const Monitor&) = delete;

    /// Starts the sampling loops, one per group; each takes its first sample at once.
    void start();

    /// Applies a new configuration: intervals take effect from the next tick (history is
    /// kept), patterns and the procfs root rebuild the affected samplers, limits apply to
    /// new requests. The configuration must already be valid.
    void apply(const config::Config& config);

    /// Stops sampling: pending waiters fail with `shutting_down`, each loop ends after
    /// its current tick, and `on_stopped` (if set) runs once all have ended.
    void stop(std::function<void()> on_stopped = {});
    bool stopping() const noexcept { return stopping_; }

    /// A group's sampler: its latest reading (valid until the group's next tick), rendered.
    const GroupSampler& group(Group group) const noexcept { return *state(group).sampler; }
    /// Tells monitors apart, even one made where another was destroyed (never 0).
    std::uint64_t instance() const noexcept { return instance_; }
    /// The header of a group's latest reading; sequence 0 until its first sample.
    const sample::ReadingHeader& header(Group group) const noexcept { return state(group).sampler->header(); }

    /// A task that completes with the sequence number of the group's next fresh sample,
    /// through a pooled completion source. Fails with timeout_error after `timeout` (zero:
    /// none), canceled_error once `stop` is requested, shutting_down when the daemon
    /// stops, and throws too_many_waiters past limits.max_waiters. Await the task (or
    /// `get()` it once completed): its source returns to the pool only when its result is
    /// taken, so a task dropped unawaited keeps its source out of the pool for good.
    async::ValueTask<std::uint64_t> next(Group group, std::chrono::milliseconds timeout = {},
                                         std::stop_token stop = {});

    /// The history point of the group's latest sample: its figures (`figure_names`), as
    /// HISTORY and SUBSCRIBE events give them.
    HistoryPoint point(Group group) const noexcept;
    /// Points of the last `seconds` (oldest first) and each figure's min/avg/max over them.
    void history(Group group, double seconds, std::vector<HistoryPoint>& out,
                 std::array<FigureSummary, max_figures>& summary) const;

    TickStats::Summary stats(Group group) const noexcept { return state(group).stats.summary(); }
    std::uint64_t skipped_ticks(Group group) const noexcept { return state(group).schedule.skipped(); }
    std::size_t waiting(Group group) const noexcept { return state(group).waiters.size(); }

    /// The group's last completion of waiters: how many, and how long from the sample
    /// being ready to the last waiter's continuation returning (replies handed to the kernel).
    struct FanOut {
        std::size_t waiters = 0;
        std::int64_t ns = 0;
    };
    FanOut last_fan_out(Group group) const noexcept { return state(group).last_fan_out; }
    async::PoolCounters waiter_pool() const noexcept { return waiters_.counters(); }
    std::size_t history_size(Group group) const noexcept { return state(group).history.size(); }

    /// Called on the loop after every sample of any group (e.g. to feed subscribers).
    void on_sample(std::function<void(Group)> listener) { listener_ = std::move(listener); }

private:
    Monitor(async::LoopScheduler& scheduler, const config::Config& config, std::unique_ptr<Clock> own, Clock* given);

    struct GroupState {
        GroupState(Clock& clock, std::size_t history_points, Group group, std::unique_ptr<GroupSampler> sampler)
            : group(group), sampler(std::move(sampler)), alarm(clock.make_alarm()), history(history_points) {}
        Group group;
        std::unique_ptr<GroupSampler> sampler;
        std::unique_ptr<Alarm> alarm;
        DeadlineSchedule schedule;
        TickStats stats;
        History history;
        WaiterList waiters;
        FanOut last_fan_out;
        bool running = false;
        bool reconfigure = false;  // apply config_ to the sampler before the next tick
    };

    async::Task<void> run(GroupState& g);
    std::chrono::milliseconds interval(Group group) const noexcept { return kind(group).interval(config_); }
    void finished(GroupState& g);
    GroupState& state(Group group) noexcept { return *groups_[static_cast<std::size_t>(group)]; }
    const GroupState& state(Group group) const noexcept { return *groups_[static_cast<std::size_t>(group)]; }

    uv_loop_t* loop_;
    std::uint64_t instance_;
    std::unique_ptr<Clock> own_clock_;  // the loop's, unless one was given
    Clock& clock_;
    config::Config config_;
    WaiterPool waiters_;
    std::array<std::unique_ptr<GroupState>, all_groups.size()> groups_;
    std::function<void(Group)> listener_;
    std::function<void()> on_stopped_;
    bool stopping_ = false;
};

}  // namespace pcm::monitor
