#include <pcm/monitor/monitor.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <ctime>
#include <limits>

namespace pcm::monitor {
namespace {

std::int64_t thread_cpu_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Real time, for what is measured rather than scheduled: the history's window (points carry
// the samplers' own CLOCK_MONOTONIC stamps) and the fan-out's duration.
std::int64_t now_ns() noexcept { return static_cast<std::int64_t>(uv_hrtime()); }

std::atomic<std::uint64_t> instances{0};

constexpr double none = std::numeric_limits<double>::quiet_NaN();

}  // namespace

Monitor::Monitor(async::LoopScheduler& scheduler, const config::Config& config)
    : Monitor(scheduler, config, std::make_unique<LoopClock>(scheduler.loop()), nullptr) {}

Monitor::Monitor(async::LoopScheduler& scheduler, const config::Config& config, Clock& clock)
    : Monitor(scheduler, config, nullptr, &clock) {}

Monitor::Monitor(async::LoopScheduler& scheduler, const config::Config& config, std::unique_ptr<Clock> own,
                 Clock* given)
    : loop_(scheduler.loop()),
      instance_(++instances),
      own_clock_(std::move(own)),
      clock_(given != nullptr ? *given : *own_clock_),
      config_(config),
      waiters_(scheduler, config.limits.max_waiters) {
    for (Group g : all_groups)
        groups_[static_cast<std::size_t>(g)] =
            std::make_unique<GroupState>(clock_, config.history_points, g, kind(g).make(loop_, config));
}

Monitor::~Monitor() {
    for (Group g : all_groups) WaiterPool::fail_all(state(g).waiters, std::make_exception_ptr(shutting_down()));
}

void Monitor::start() {
    // One origin for every group: groups with the same interval then share their wake-ups.
    const Instant origin = clock_.now();
    for (Group g : all_groups) {
        GroupState& s = state(g);
        s.schedule.start(origin, interval(g));
        s.running = true;
        async::spawn(run(s));
    }
}

async::Task<void> Monitor::run(GroupState& g) {
    while (!stopping_) {
        if (clock_.now() < g.schedule.deadline()) {
            co_await g.alarm->sleep_until(g.schedule.deadline());
            if (stopping_) break;
            if (clock_.now() < g.schedule.deadline() - std::chrono::milliseconds(1)) continue;  // woken to re-plan
        }
        if (g.reconfigure) {
            g.reconfigure = false;
            g.history.resize(config_.history_points);
            g.sampler->apply(config_);
        }

        std::int64_t lateness = g.schedule.take(clock_.now()).count();
        // Only the loop thread's share is costed: a group may finish its sample elsewhere
        // (statvfs runs on worker threads).
        std::int64_t cpu_before = thread_cpu_ns();
        async::ValueTask<void> done = g.sampler->sample();
        std::int64_t cost = thread_cpu_ns() - cpu_before;
        co_await done;
        g.stats.record(lateness, cost, !g.sampler->header().error.empty());
        g.history.push(point(g.group));
        if (std::size_t waiting = g.waiters.size(); waiting > 0) {
            std::int64_t ready = now_ns();
            WaiterPool::complete_all(g.waiters, header(g.group).sequence);
            g.last_fan_out = {waiting, now_ns() - ready};
        }
        if (listener_) listener_(g.group);
    }
    finished(g);
}

void Monitor::apply(const config::Config& config) {
    config::Config old = std::exchange(config_, config);
    for (Group g : all_groups) {
        GroupState& s = state(g);
        s.reconfigure = true;
        if (interval(g) != s.schedule.interval() || old.procfs_root != config.procfs_root) {
            s.schedule.change_interval(clock_.now(), interval(g));
            s.alarm->wake();  // re-plan the sleep against the new deadline
        }
    }
}

async::ValueTask<std::uint64_t> Monitor::next(Group group, std::chrono::milliseconds timeout, std::stop_token stop) {
    if (stopping_) return async::ValueTask<std::uint64_t>::from_exception(std::make_exception_ptr(shutting_down()));
    return waiters_.wait(state(group).waiters, config_.limits.max_waiters, timeout, std::move(stop));
}

void Monitor::history(Group group, double seconds, std::vector<HistoryPoint>& out,
                      std::array<FigureSummary, max_figures>& summary) const {
    auto since = now_ns() - static_cast<std::int64_t>(seconds * 1e9);
    state(group).history.since(since, out, summary);
}

HistoryPoint Monitor::point(Group group) const noexcept {
    const GroupSampler& sampler = *state(group).sampler;
    const sample::ReadingHeader& h = sampler.header();
    HistoryPoint p{h.sequence, h.taken.mono_ns, h.taken.wall_ns, {none, none, none, none}};
    sampler.figures(p.values);
    return p;
}

void Monitor::stop(std::function<void()> on_stopped) {
    if (stopping_) return;
    stopping_ = true;
    on_stopped_ = std::move(on_stopped);
    for (Group g : all_groups) {
        WaiterPool::fail_all(state(g).waiters, std::make_exception_ptr(shutting_down()));
        state(g).alarm->wake();
    }
    bool any_running = std::any_of(groups_.begin(), groups_.end(), [](const auto& g) { return g->running; });
    if (!any_running && on_stopped_) std::exchange(on_stopped_, {})();
}

void Monitor::finished(GroupState& g) {
    g.running = false;
    bool any_running = std::any_of(groups_.begin(), groups_.end(), [](const auto& s) { return s->running; });
    if (!any_running && on_stopped_) std::exchange(on_stopped_, {})();
}

}  // namespace pcm::monitor
