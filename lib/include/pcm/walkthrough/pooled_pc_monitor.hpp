#pragma once
// Step 5 of the walkthrough: every wait rents its source from a pool, and the source goes
// back inside result(), which runs exactly once per task.
#include <pcm/async/pooled_completion_source.hpp>
#include <pcm/sample/cpu_sampler.hpp>
#include <pcm/uv/handle.hpp>
#include <pcm/walkthrough/cpu_sample.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace pcm::walkthrough {

/// A pooled source: see async::PooledCompletionSource.
using PooledSampleSource = async::PooledCompletionSource<CpuSample>;

/// Any number of awaiters (up to `max_waiters`) on one monitor, all completed with the same
/// fresh sample. Once the pool is warm, a wait allocates nothing. Use on the loop's thread.
class PooledPcMonitor {
public:
    PooledPcMonitor(uv_loop_t* loop, std::chrono::milliseconds interval, std::size_t max_waiters,
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
