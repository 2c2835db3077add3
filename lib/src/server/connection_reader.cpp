#include <pcm/server/connection_reader.hpp>

#include <pcm/async/errors.hpp>

#include <poll.h>

#include <cstring>

namespace pcm::server {

ConnectionReader::ConnectionReader(uv_stream_t* stream, std::size_t max_line)
    : stream_(stream), buffer_(max_line + 1, '\0') {
    stream_->data = this;
}

void ConnectionReader::start() { uv_read_start(stream_, &on_alloc, &on_read); }

async::ValueTask<ReadResult> ConnectionReader::read_line() {
    if (pending_) throw async::invalid_operation("read_line: a read is already pending on this connection");
    // Release the previous line: move what follows it to the front of the buffer.
    if (consumed_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + consumed_, filled_ - consumed_);
        filled_ -= consumed_;
        consumed_ = 0;
    }
    core_.reset();
    pending_ = true;
    if (!try_complete()) resume_reading();
    return async::ValueTask<ReadResult>(*this, core_.version());
}

bool ConnectionReader::try_complete() noexcept {
    if (!pending_ || gated_) return false;
    ReadResult result;
    std::string_view data(buffer_.data(), filled_);
    std::size_t newline = data.find('\n');
    if (newline != std::string_view::npos) {
        std::string_view line = data.substr(0, newline);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        result = {ReadResult::Kind::line, line, 0};
        consumed_ = newline + 1;
    } else if (filled_ == buffer_.size()) {
        result = {ReadResult::Kind::too_long, {}, 0};
    } else if (end_ != 0) {
        result = end_ == UV_EOF || end_ == UV_ECANCELED ? ReadResult{ReadResult::Kind::end, {}, 0}
                                                        : ReadResult{ReadResult::Kind::error, {}, end_};
    } else {
        return false;
    }
    pending_ = false;
    core_.set_result(result);  // may resume the reader's coroutine right here
    return true;
}

bool ConnectionReader::line_buffered() const noexcept {
    return std::memchr(buffer_.data() + consumed_, '\n', filled_ - consumed_) != nullptr;
}

bool ConnectionReader::peer_closed() const noexcept {
    // End of input may be a half-close (the client is done sending but still reads the
    // replies, as `printf 'WAIT cpu\n' | socat ...` does). Only a peer that closed both
    // directions makes a Unix stream socket report POLLHUP.
    uv_os_fd_t fd;
    if (uv_fileno(reinterpret_cast<const uv_handle_t*>(stream_), &fd) != 0) return true;
    pollfd p{fd, POLLOUT, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)) != 0;
}

void ConnectionReader::gate() noexcept {
    if (gated_ || end_ != 0) return;
    gated_ = true;
    if (!paused_) uv_read_stop(stream_);
}

void ConnectionReader::ungate() noexcept {
    if (!gated_) return;
    gated_ = false;
    if (!paused_ && end_ == 0) uv_read_start(stream_, &on_alloc, &on_read);
    try_complete();
}

void ConnectionReader::abort() noexcept {
    gated_ = false;
    if (end_ == 0) {
        end_ = UV_ECANCELED;
        uv_read_stop(stream_);
    }
    filled_ = consumed_ = 0;  // nothing more is handed out
    try_complete();
}

void ConnectionReader::resume_reading() noexcept {
    if (paused_ && end_ == 0 && filled_ < buffer_.size()) {
        paused_ = false;
        if (!gated_) uv_read_start(stream_, &on_alloc, &on_read);
    }
}

void ConnectionReader::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
    auto* self = static_cast<ConnectionReader*>(handle->data);
    *buf =
        uv_buf_init(self->buffer_.data() + self->filled_, static_cast<unsigned>(self->buffer_.size() - self->filled_));
}

void ConnectionReader::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
    auto* self = static_cast<ConnectionReader*>(stream->data);
    if (nread < 0) {
        self->end_ = static_cast<int>(nread);
        uv_read_stop(stream);
        if (self->hangup_ && (nread != UV_EOF || self->peer_closed())) self->hangup_(self->hangup_state_);
    } else {
        self->filled_ += static_cast<std::size_t>(nread);
        self->received_ += static_cast<std::uint64_t>(nread);
        if (self->filled_ == self->buffer_.size()) {  // full: stop until the consumer frees space
            uv_read_stop(stream);
            self->paused_ = true;
        }
    }
    self->try_complete();
}

}  // namespace pcm::server
