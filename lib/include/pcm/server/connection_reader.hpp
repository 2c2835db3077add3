#pragma once
// The socket case of the walkthrough: one reusable awaitable per connection that serves
// every read, like .NET's AwaitableSocketAsyncEventArgs.
#include <pcm/async/manual_reset_source_core.hpp>
#include <pcm/async/value_task.hpp>
#include <pcm/async/value_task_source.hpp>

#include <uv.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace pcm::server {

/// What one read produced.
struct ReadResult {
    enum class Kind { line, end, too_long, error } kind = Kind::end;
    std::string_view line;  ///< for `line`: without '\n' (and '\r'); valid until the next read
    int error = 0;          ///< for `error`: the libuv error code
};

/// Reads newline-terminated lines from a libuv stream into one buffer of fixed size,
/// handing each out through the same completion source, version after version: one
/// reader at a time, no allocation per read. Data keeps arriving into the buffer while
/// the consumer is busy (so a hang-up is noticed during a long WAIT); reading pauses only
/// when the buffer is full.
///
/// Use on the stream's loop thread. The stream must outlive the reader's reading.
class ConnectionReader final : public async::ValueTaskSource<ReadResult> {
public:
    /// `max_line` bytes per line at most, newline excluded.
    ConnectionReader(uv_stream_t* stream, std::size_t max_line);
    ConnectionReader(const ConnectionReader&) = delete;
    ConnectionReader& operator=(const ConnectionReader&) = delete;

    /// Starts receiving. Call once.
    void start();

    /// The next line (or the end, an oversized line, an error). The line handed out by
    /// the previous read is released first. Throws invalid_operation while a read is pending.
    async::ValueTask<ReadResult> read_line();

    /// Called when the peer hangs up (closes both directions) or the stream fails, whether
    /// or not a read is pending (e.g. to cancel a WAIT). A half-close is not a hang-up.
    void on_hangup(void (*callback)(void*), void* state) noexcept {
        hangup_ = callback;
        hangup_state_ = state;
    }

    /// Ends reading now: a pending read (or the next one) completes with `end`.
    void abort() noexcept;

    /// Backpressure: while gated no line is handed out and nothing is read from the
    /// stream (the client's sends block in its kernel buffer); `ungate` resumes both.
    void gate() noexcept;
    void ungate() noexcept;
    bool gated() const noexcept { return gated_; }

    /// True when another whole line is already buffered (the client pipelines).
    bool line_buffered() const noexcept;

    std::uint64_t bytes_received() const noexcept { return received_; }
    bool ended() const noexcept { return end_ != 0; }

    // ValueTaskSource<ReadResult>
    async::SourceStatus status(async::Token token) const override { return core_.status(token); }
    void on_completed(async::Continuation c, void* state, async::Token token, async::CompletionFlags flags) override {
        core_.on_completed(c, state, token, flags);
    }
    ReadResult result(async::Token token) override { return core_.result(token); }

private:
    static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
    static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
    bool try_complete() noexcept;
    bool peer_closed() const noexcept;
    void resume_reading() noexcept;

    uv_stream_t* stream_;
    std::string buffer_;        // fixed size: max_line + 1 (room for the newline)
    std::size_t filled_ = 0;    // bytes received and not yet consumed
    std::size_t consumed_ = 0;  // length of the line handed out last, with its newline
    int end_ = 0;               // UV_EOF or another error, once the stream ended
    bool pending_ = false;      // a read is waiting for a line
    bool paused_ = false;       // uv_read_stop because the buffer is full
    bool gated_ = false;        // uv_read_stop for backpressure (see gate)
    std::uint64_t received_ = 0;
    void (*hangup_)(void*) = nullptr;
    void* hangup_state_ = nullptr;
    async::ManualResetSourceCore<ReadResult> core_;
};

}  // namespace pcm::server
