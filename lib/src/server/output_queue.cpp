#include <pcm/server/output_queue.hpp>

#include <utility>

namespace pcm::server {

bool OutputQueue::send(std::string_view bytes) {
    // One reply of any size may go out on an idle connection (METRICS can be larger than
    // the bound); it is what piles up behind unread replies that the bound stops.
    if (error_ != 0 || (queued() > 0 && queued() + bytes.size() > limit_)) return false;
    waiting_.append(bytes);
    if (in_flight_.empty()) write_waiting();
    return true;
}

void OutputQueue::write_waiting() {
    std::swap(waiting_, in_flight_);  // in_flight_ was empty: waiting_ keeps its capacity
    waiting_.clear();
    uv_buf_t buf = uv_buf_init(in_flight_.data(), static_cast<unsigned>(in_flight_.size()));
    if (int rc = uv_write(&request_, stream_, &buf, 1, &OutputQueue::on_written); rc != 0) {
        error_ = rc;
        in_flight_.clear();
    }
}

void OutputQueue::on_written(uv_write_t* request, int status) {
    auto* self = static_cast<OutputQueue*>(request->data);
    if (status == 0) self->sent_ += self->in_flight_.size();
    else self->error_ = status;
    self->in_flight_.clear();
    if (self->error_ == 0 && !self->waiting_.empty()) {
        self->write_waiting();
        return;
    }
    if (self->error_ != 0) self->waiting_.clear();
    if (self->queued() == 0 && self->drained_) std::exchange(self->drained_, nullptr)(self->drained_state_);
}

void OutputQueue::when_drained(void (*callback)(void*), void* state) {
    if (queued() == 0) {
        callback(state);
        return;
    }
    drained_ = callback;
    drained_state_ = state;
}

}  // namespace pcm::server
