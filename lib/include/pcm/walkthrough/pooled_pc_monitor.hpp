#pragma once
// Step 5 of the walkthrough: every wait rents its source from a pool, and the source goes
// back inside result(), which runs exactly once per task.
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/pooled_loop_source.hpp>
#include <pcm/sample/cpu_sampler.hpp>
#include <pcm/uv/handle.hpp>
#include <pcm/walkthrough/cpu_sample.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace pcm::walkthrough {

/// A pooled, loop-affine source: see async::PooledLoopSource. Every wait is created,
/// completed by the timer tick and awaited on the loop's thread, so the thread-safe
/// CompletionSource would only add atomic read-modify-writes.
using PooledSampleSource = async::PooledLoopSource<CpuSample>;

/// Any number of awaiters (up to `max_waiters`) on one monitor, all completed with the same
/// fresh sample. Once the pool is warm, a wait allocates nothing. Use on the loop's thread.
class PooledPcMonitor {
public:
    PooledPcMonitor(async::LoopScheduler& scheduler, std::chrono::milliseconds interval, std::size_t max_waiters,
                    const std::string& proc_root = "/proc");

    void start();
    /// A task for the next sample on a rented source; invalid_operation past max_waiters.
    async::ValueTask<CpuSample> next_sample();
    std::size_t publish(const CpuSample& sample);
    void tick();

    async::PoolCounters pool_counters() const noexcept { return pool_.counters(); }
    /// The source and token of the most recent wait (to show stale-token detection).
    std::pair<PooledSampleSource*, async::Token> last_wait() const noexcept { return last_; }

private:
    std::chrono::milliseconds interval_;
    uv::Handle<uv_timer_t> timer_;
    sample::CpuSampler sampler_;
    std::size_t max_waiters_;
    PooledSampleSource::Pool pool_;
    std::vector<std::pair<PooledSampleSource*, async::Token>> waiting_, completing_;
    std::pair<PooledSampleSource*, async::Token> last_{nullptr, 0};
};

}  // namespace pcm::walkthrough
