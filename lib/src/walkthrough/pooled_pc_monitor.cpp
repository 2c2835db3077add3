#include <pcm/walkthrough/pooled_pc_monitor.hpp>

namespace pcm::walkthrough {

PooledPcMonitor::PooledPcMonitor(async::LoopScheduler& scheduler, std::chrono::milliseconds interval,
                                 std::size_t max_waiters, const std::string& proc_root)
    : interval_(interval),
      timer_(uv_timer_init, scheduler.loop()),
      sampler_(proc_root),
      max_waiters_(max_waiters),
      pool_(scheduler, max_waiters) {  // never more out than retained: a returned source is never destroyed
    timer_.get()->data = this;
    waiting_.reserve(max_waiters);
    completing_.reserve(max_waiters);
}

void PooledPcMonitor::start() {
    auto ms = static_cast<std::uint64_t>(interval_.count());
    uv_timer_start(
        timer_.get(), [](uv_timer_t* t) { static_cast<PooledPcMonitor*>(t->data)->tick(); }, ms, ms);
}

async::ValueTask<CpuSample> PooledPcMonitor::next_sample() {
    if (pool_.outstanding() >= max_waiters_) throw async::invalid_operation("PooledPcMonitor: too many waiters");
    PooledSampleSource* source = pool_.rent();
    last_ = {source, source->current_version()};
    waiting_.push_back(last_);
    return source->create_task();
}

std::size_t PooledPcMonitor::publish(const CpuSample& sample) {
    completing_.swap(waiting_);
    std::size_t delivered = 0;
    for (auto [source, token] : completing_) delivered += source->try_set_result(token, sample);
    completing_.clear();
    return delivered;
}

void PooledPcMonitor::tick() {
    const sample::CpuReading& r = sampler_.sample();
    publish({r.header.sequence, r.total ? r.total->busy : NAN});
}

}  // namespace pcm::walkthrough
