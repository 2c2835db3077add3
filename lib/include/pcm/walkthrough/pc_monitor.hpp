#pragma once
// The walkthrough's PcMonitor: `co_await monitor.next_sample()` for the next CPU reading,
// taken on a libuv timer, on a source written by hand (step 3) or on the core (step 4).
#include <pcm/async/errors.hpp>
#include <pcm/async/value_task.hpp>
#include <pcm/sample/cpu_sampler.hpp>
#include <pcm/uv/handle.hpp>
#include <pcm/walkthrough/cpu_sample.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pcm::walkthrough {

/// Up to `consumers` awaiters at a time, each served by a source of its own that is
/// reused from one sample to the next. `Source` is HandWrittenSource or CoreSource. Use on
/// the loop's thread.
template <class Source>
class PcMonitor {
public:
    PcMonitor(uv_loop_t* loop, std::chrono::milliseconds interval, std::size_t consumers = 1,
              const std::string& proc_root = "/proc")
        : interval_(interval), timer_(uv_timer_init, loop), sampler_(proc_root) {
        timer_.get()->data = this;
        for (std::size_t i = 0; i < consumers; ++i) sources_.push_back(std::make_unique<Source>());
        waiting_.reserve(consumers);
        completing_.reserve(consumers);
    }

    /// Samples every interval from now on.
    void start() {
        auto ms = static_cast<std::uint64_t>(interval_.count());
        uv_timer_start(
            timer_.get(), [](uv_timer_t* t) { static_cast<PcMonitor*>(t->data)->tick(); }, ms, ms);
    }

    /// A task for the next sample, on an idle source; invalid_operation if all are busy.
    async::ValueTask<CpuSample> next_sample() {
        for (std::size_t n = 0; n < sources_.size(); ++n) {
            Source& s = *sources_[cursor_];
            cursor_ = (cursor_ + 1) % sources_.size();
            if (!s.idle()) continue;
            async::ValueTask<CpuSample> task = s.start();
            waiting_.push_back({&s, s.token()});
            return task;
        }
        throw async::invalid_operation("PcMonitor: every source is busy");
    }

    /// Hands `sample` to everyone waiting now; returns how many got it. Consumers that
    /// wait again from their continuation get the next sample, not this one.
    std::size_t publish(const CpuSample& sample) {
        completing_.swap(waiting_);  // both reserved up front: no allocation
        std::size_t delivered = 0;
        for (auto [source, token] : completing_) delivered += source->complete(token, sample);
        completing_.clear();
        return delivered;
    }

    /// Takes a CPU sample now and publishes it.
    void tick() {
        const sample::CpuReading& r = sampler_.sample();
        publish({r.header.sequence, r.total ? r.total->busy : NAN});
    }

    Source& source(std::size_t i = 0) { return *sources_[i]; }

private:
    std::chrono::milliseconds interval_;
    uv::Handle<uv_timer_t> timer_;
    sample::CpuSampler sampler_;
    std::vector<std::unique_ptr<Source>> sources_;
    std::vector<std::pair<Source*, async::Token>> waiting_, completing_;
    std::size_t cursor_ = 0;
};

}  // namespace pcm::walkthrough
