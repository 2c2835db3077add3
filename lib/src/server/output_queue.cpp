#include <pcm/server/output_queue.hpp>

#include <utility>

namespace pcm::server {

bool OutputQueue::send(std::string_view bytes, bool bounded) {
    // One reply of any size may go out on an idle connection (METRICS can be larger than
    // the bound); it is what piles up behind unread replies that the bound stops.
    if (error_ != 0 || (bounded && queued() > 0 && queued() + bytes.size() > limit_)) return false;
    if (!held_ && queued() == 0) bytes.remove_prefix(try_write_now(bytes));
    if (bytes.empty() || error_ != 0) return true;  // a failure shows at the next send
    waiting_.append(bytes);
    if (!held_ && in_flight_.empty()) write_waiting();
    account();
    return true;
}

void OutputQueue::hold(bool on) {
    held_ = on;
    if (held_ || waiting_.empty() || !in_flight_.empty() || error_ != 0) return;
    waiting_.erase(0, try_write_now(waiting_));
    if (error_ != 0) waiting_.clear();
    else if (!waiting_.empty()) write_waiting();
    account();
    notify();
}

std::size_t OutputQueue::try_write_now(std::string_view bytes) {
    // A reply to a client that is reading goes out in this one write(2): no request, no
    // callback, and none of the epoll re-arm that every completed uv_write costs.
    uv_buf_t buf = uv_buf_init(const_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
    int rc = uv_try_write(stream_, &buf, 1);
    if (rc >= 0) {
        sent_ += static_cast<std::size_t>(rc);
        return static_cast<std::size_t>(rc);
    }
    if (rc != UV_EAGAIN) error_ = rc;
    return 0;
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
    if (self->error_ == 0 && !self->held_ && !self->waiting_.empty()) self->write_waiting();
    if (self->error_ != 0) self->waiting_.clear();
    self->account();
    self->notify();
}

void OutputQueue::discard() noexcept {
    stop_accounting();
    std::string().swap(waiting_);  // the memory goes now, not when the connection is freed
    held_ = false;
}

void OutputQueue::notify() noexcept {
    if (notify_ && (queued() <= notify_level_ || error_ != 0)) std::exchange(notify_, nullptr)(notify_state_);
}

void OutputQueue::when_at_most(std::size_t level, void (*callback)(void*), void* state) {
    notify_ = callback;
    notify_state_ = state;
    notify_level_ = level;
    notify();
}

}  // namespace pcm::server
