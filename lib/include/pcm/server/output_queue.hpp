#pragma once
// Bytes waiting to be written to one client, bounded.
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pcm::server {

/// Queues replies for a libuv stream: written at once when nothing is queued, otherwise
/// one write in flight and everything sent meanwhile gathered behind it. The two buffers keep their capacity, so a steady stream of
/// replies stops allocating once they have grown. `send` refuses what would push a
/// non-empty queue past `limit` bytes (one reply of any size is taken when the queue is
/// empty): the caller then drops the client instead of growing memory.
/// The queue must outlive its stream's close callback (pending writes complete first).
class OutputQueue {
public:
    OutputQueue(uv_stream_t* stream, std::size_t limit) : stream_(stream), limit_(limit) { request_.data = this; }
    OutputQueue(const OutputQueue&) = delete;
    OutputQueue& operator=(const OutputQueue&) = delete;

    /// Queues `bytes`; false (and nothing queued) if over the limit or the stream failed.
    bool send(std::string_view bytes);

    /// While held, replies gather without being written; releasing writes them in one go.
    /// Answers to requests that arrived together (pipelined) thus leave in one write(2).
    void hold(bool on);

    std::size_t queued() const noexcept { return waiting_.size() + in_flight_.size(); }
    std::uint64_t bytes_sent() const noexcept { return sent_; }
    bool failed() const noexcept { return error_ != 0; }

    /// Runs `callback(state)` once nothing is queued any more (at once if already so).
    void when_drained(void (*callback)(void*), void* state);

private:
    static void on_written(uv_write_t* request, int status);
    std::size_t try_write_now(std::string_view bytes);  // bytes written
    void write_waiting();

    uv_stream_t* stream_;
    std::size_t limit_;
    std::string waiting_, in_flight_;
    uv_write_t request_{};
    std::uint64_t sent_ = 0;
    int error_ = 0;
    bool held_ = false;
    void (*drained_)(void*) = nullptr;
    void* drained_state_ = nullptr;
};

}  // namespace pcm::server
