#include <pcm/monitor/monitor.hpp>

#include <algorithm>
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

sample::DiskOptions disk_options(const config::Config& c) { return {c.disk.include, c.disk.exclude}; }
sample::FilesystemOptions filesystem_options(const config::Config& c) {
    return {c.filesystem.fs_types_exclude, c.filesystem.mount_points_exclude, c.filesystem.statfs_timeout};
}

constexpr double none = std::numeric_limits<double>::quiet_NaN();

}  // namespace

Monitor::Monitor(async::LoopScheduler& scheduler, const config::Config& config)
    : Monitor(scheduler, config, std::make_unique<LoopClock>(scheduler.loop()), nullptr) {}

Monitor::Monitor(async::LoopScheduler& scheduler, const config::Config& config, Clock& clock)
    : Monitor(scheduler, config, nullptr, &clock) {}

Monitor::Monitor(async::LoopScheduler& scheduler, const config::Config& config, std::unique_ptr<Clock> own,
                 Clock* given)
    : loop_(scheduler.loop()),
      own_clock_(std::move(own)),
      clock_(given != nullptr ? *given : *own_clock_),
      config_(config),
      cpu_(std::make_unique<sample::CpuSampler>(config.procfs_root)),
      memory_(std::make_unique<sample::MemorySampler>(config.procfs_root)),
      disk_(std::make_unique<sample::DiskSampler>(disk_options(config), config.procfs_root)),
      filesystem_(std::make_unique<sample::FilesystemSampler>(loop_, filesystem_options(config), config.procfs_root)),
      waiters_(scheduler, config.limits.max_waiters) {
    for (Group g : all_groups) {
        groups_[static_cast<std::size_t>(g)] = std::make_unique<GroupState>(clock_, config.history_points);
        state(g).group = g;
    }
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

std::chrono::milliseconds Monitor::interval(Group group) const noexcept {
    switch (group) {
        case Group::cpu: return config_.cpu.interval;
        case Group::memory: return config_.memory.interval;
        case Group::disk: return config_.disk.interval;
        case Group::filesystem: return config_.filesystem.interval;
    }
    return config_.cpu.interval;
}

const sample::ReadingHeader& Monitor::header(Group group) const noexcept {
    switch (group) {
        case Group::cpu: return cpu().header;
        case Group::memory: return memory().header;
        case Group::disk: return disk().header;
        case Group::filesystem: return filesystems().header;
    }
    return cpu().header;
}

async::Task<void> Monitor::run(GroupState& g) {
    while (!stopping_) {
        if (clock_.now() < g.schedule.deadline()) {
            co_await g.alarm->sleep_until(g.schedule.deadline());
            if (stopping_) break;
            if (clock_.now() < g.schedule.deadline() - std::chrono::milliseconds(1)) continue;  // woken to re-plan
        }
        if (g.reconfigure) reconfigure(g.group);

        std::int64_t lateness = g.schedule.take(clock_.now()).count();
        std::int64_t cpu_before = thread_cpu_ns();
        if (g.group == Group::filesystem) {
            // Only the loop thread's share is costed: statvfs runs on worker threads.
            async::ValueTask<void> done = filesystem_->sample();
            std::int64_t cost = thread_cpu_ns() - cpu_before;
            co_await done;
            cpu_before = thread_cpu_ns() - cost;
        } else {
            sample_now(g.group);
        }
        g.stats.record(lateness, thread_cpu_ns() - cpu_before, !header(g.group).error.empty());
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

void Monitor::sample_now(Group group) {
    switch (group) {
        case Group::cpu: cpu_->sample(); break;
        case Group::memory: memory_->sample(); break;
        case Group::disk: disk_->sample(); break;
        case Group::filesystem: break;  // asynchronous: see run()
    }
}

void Monitor::reconfigure(Group group) {
    GroupState& g = state(group);
    g.reconfigure = false;
    g.history.resize(config_.history_points);
    switch (group) {
        case Group::cpu: cpu_->set_proc_root(config_.procfs_root); break;
        case Group::memory: memory_->set_proc_root(config_.procfs_root); break;
        case Group::disk: disk_->reconfigure(disk_options(config_), config_.procfs_root); break;
        case Group::filesystem: filesystem_->reconfigure(filesystem_options(config_), config_.procfs_root); break;
    }
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
    const sample::ReadingHeader& h = header(group);
    HistoryPoint p{h.sequence, h.taken.mono_ns, h.taken.wall_ns, {none, none, none, none}};
    switch (group) {
        case Group::cpu: {
            const auto& r = cpu();
            if (r.total) {
                p.values[0] = r.total->busy;
                p.values[1] = r.total->iowait;
            }
            if (r.header.error.empty() || r.load.tasks > 0) p.values[2] = r.load.load1;
            if (r.context_switches_per_s) p.values[3] = *r.context_switches_per_s;
            break;
        }
        case Group::memory: {
            const auto& m = memory().summary;
            if (m.total > 0)
                p.values = {m.used_percent, static_cast<double>(m.used), static_cast<double>(m.available),
                            m.swap_used_percent};
            break;
        }
        case Group::disk: {
            double read = 0, write = 0, ios = 0, util = 0;
            bool any = false;
            for (const auto& d : disk().disks) {
                if (!d.rates) continue;
                any = true;
                read += d.rates->read_bytes_per_s;
                write += d.rates->write_bytes_per_s;
                ios += d.rates->reads_per_s + d.rates->writes_per_s;
                util = std::max(util, d.rates->utilization_percent);
            }
            if (any) p.values = {read, write, ios, util};
            break;
        }
        case Group::filesystem: {
            double used = none, available = none, errors = 0;
            for (const auto& f : filesystems().filesystems) {
                if (!f.has_space) {
                    ++errors;
                    continue;
                }
                used = std::isnan(used) ? f.space.used_percent : std::max(used, f.space.used_percent);
                double avail = static_cast<double>(f.space.available);
                available = std::isnan(available) ? avail : std::min(available, avail);
            }
            p.values = {used, available, static_cast<double>(filesystems().filesystems.size()), errors};
            break;
        }
    }
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
