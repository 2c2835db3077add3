#pragma once
// One exposition text per sample, rendered on the loop in steps and shared by everyone who
// asks for it meanwhile: the HTTP server's /metrics and the socket's METRICS.
#include <pcm/metrics/prometheus.hpp>
#include <pcm/monitor/monitor.hpp>
#include <pcm/uv/handle.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pcm::metrics {

/// Keeps the text of the monitor's latest samples in one format. A text of megabytes (a
/// machine with thousands of CPUs and disks) is rendered `step_bytes` at a time, one step
/// per loop turn, so sampling and other clients are never held up for the whole of it;
/// a small one is done in the first step, at once. Loop thread only.
class ExpositionCache {
public:
    /// Called once the render the waiter waited for is over: `latest()` has its text (or, if
    /// it ran out of memory, the last complete one).
    using Ready = void (*)(void* waiter);

    static constexpr std::size_t default_step_bytes = std::size_t{128} * 1024;  // about a millisecond of rendering

    /// `trailer` ends every text (the socket's METRICS marks its end with "# EOF\n").
    ExpositionCache(uv_loop_t* loop, const monitor::Monitor& monitor, Format format, std::string_view trailer = {},
                    std::size_t step_bytes = default_step_bytes);
    ExpositionCache(const ExpositionCache&) = delete;
    ExpositionCache& operator=(const ExpositionCache&) = delete;

    /// The text of the monitor's current samples, rendering it (from `figures`) if it is
    /// not yet; nullptr when that takes more than one step (or a render is under way): then
    /// ask `when_ready`. Out of memory, it is the last complete text (empty before the first).
    std::shared_ptr<const std::string> current(const ServerFigures& figures);
    /// Runs `ready(waiter)` on the loop once the render under way is complete.
    void when_ready(Ready ready, void* waiter);
    /// `waiter` is gone: it will not be called.
    void forget(void* waiter) noexcept;
    /// The last complete text (empty before the first), even if the monitor sampled since.
    std::shared_ptr<const std::string> latest() const noexcept { return text_; }
    /// Completes a render under way at once (shutting down), calling its waiters.
    void finish_now();

    /// Renders started, and steps taken (steps > renders: texts that took several turns).
    std::uint64_t renders() const noexcept { return renders_; }
    std::uint64_t steps() const noexcept { return steps_; }
    /// Renders given up for want of memory (their waiters got the last complete text).
    std::uint64_t failures() const noexcept { return failures_; }

private:
    using Key = std::array<std::uint64_t, monitor::all_groups.size()>;
    Key key() const noexcept;
    bool step(std::size_t bytes);  // true when the render is over (complete, or given up)
    void give_up();
    void call_waiters();
    static void on_turn(uv_timer_t* timer);

    const monitor::Monitor& monitor_;
    Format format_;
    std::string_view trailer_;
    std::size_t step_bytes_;
    PrometheusRender render_;
    bool rendering_ = false;
    Key key_{}, rendering_key_{};
    std::shared_ptr<std::string> text_ = std::make_shared<std::string>();  // complete
    std::shared_ptr<std::string> next_;                                    // being rendered
    bool has_text_ = false;
    bool calling_now_ = false;
    std::vector<std::pair<Ready, void*>> waiters_, calling_;
    uv::Handle<uv_timer_t> turn_;
    std::uint64_t renders_ = 0, steps_ = 0, failures_ = 0;
};

}  // namespace pcm::metrics
