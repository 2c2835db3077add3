#include <pcm/async/stop_relay.hpp>

namespace pcm::async::detail {

void StopRelay::request() noexcept {
    // The exchange orders this poster after the loop's previous `run`, which has finished
    // with keepalive_ before it cleared `posted_`.
    if (posted_.exchange(true, std::memory_order_acq_rel)) return;  // one already on its way
    keepalive_ = shared_from_this();
    if (!queue_->post(work_)) {
        // The loop is gone: nobody is left to cancel. Nothing to report: a stop request
        // is not an error.
        keepalive_.reset();
        posted_.store(false, std::memory_order_release);
    }
}

void StopRelay::run(void* self_ptr) noexcept {
    auto* self = static_cast<StopRelay*>(self_ptr);
    std::shared_ptr<StopRelay> keep = std::move(self->keepalive_);
    self->posted_.store(false, std::memory_order_release);
    if (self->target_ != nullptr) self->on_stop_(self->target_);
}

}  // namespace pcm::async::detail
