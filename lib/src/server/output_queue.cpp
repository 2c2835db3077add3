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
    if (!held_ && in_flight_bytes_.empty()) write_waiting();
    account();
    return true;
}

bool OutputQueue::send_shared(std::shared_ptr<const std::string> text) {
    if (error_ != 0) return false;
    if (held_ || queued() > 0) return send(*text, false);  // behind other bytes: copied, in order
    std::string_view rest = *text;
    rest.remove_prefix(try_write_now(rest));
    if (rest.empty() || error_ != 0) return true;
    shared_in_flight_ = std::move(text);
    write_in_flight(rest);
    account();
    return true;
}

void OutputQueue::hold(bool on) {
    held_ = on;
    if (held_ || waiting_.empty() || !in_flight_bytes_.empty() || error_ != 0) return;
    // What the socket does not take now goes to uv_write from where it stopped: no moving
    // megabytes to the front of the buffer.
    std::size_t written = try_write_now(waiting_);
    if (error_ != 0 || written == waiting_.size()) waiting_.clear();
    else write_waiting(written);
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

void OutputQueue::write_waiting(std::size_t skip) {
    std::swap(waiting_, in_flight_);  // in_flight_ was empty: waiting_ keeps its capacity
    waiting_.clear();
    write_in_flight(std::string_view(in_flight_).substr(skip));
}

void OutputQueue::write_in_flight(std::string_view bytes) {
    in_flight_bytes_ = bytes;
    uv_buf_t buf = uv_buf_init(const_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
    if (int rc = uv_write(&request_, stream_, &buf, 1, &OutputQueue::on_written); rc != 0) {
        error_ = rc;
        in_flight_.clear();
        shared_in_flight_.reset();
        in_flight_bytes_ = {};
    }
}

void OutputQueue::on_written(uv_write_t* request, int status) {
    auto* self = static_cast<OutputQueue*>(request->data);
    if (status == 0) self->sent_ += self->in_flight_bytes_.size();
    else self->error_ = status;
    self->in_flight_.clear();
    self->shared_in_flight_.reset();
    self->in_flight_bytes_ = {};
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
