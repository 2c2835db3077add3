#pragma once
// Bytes waiting to be written to one client, bounded.
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace pcm::server {

/// Queues replies for a libuv stream: written at once when nothing is queued, otherwise
/// one write in flight and everything sent meanwhile gathered behind it. The two buffers keep their capacity, so a
/// steady stream of replies stops allocating once they have grown. A bounded `send` refuses what would push a non-empty
/// queue past `limit` bytes (one reply of any size is taken when the queue is empty): the caller then drops the client
/// instead of growing memory. An unbounded send is for replies to requests, which the caller bounds by not reading more
/// requests while much is queued (see `when_at_most`).
///
/// Every queue may count its bytes into one total shared by all queues (`account_to`),
/// for a budget across clients.
/// The queue must outlive its stream's close callback (pending writes complete first).
class OutputQueue {
public:
    OutputQueue(uv_stream_t* stream, std::size_t limit) : stream_(stream), limit_(limit) { request_.data = this; }
    ~OutputQueue() { stop_accounting(); }
    OutputQueue(const OutputQueue&) = delete;
    OutputQueue& operator=(const OutputQueue&) = delete;

    /// Queues `bytes`; false (and nothing queued) if the stream failed, or if `bounded`
    /// and it would pass the limit.
    bool send(std::string_view bytes, bool bounded = true);

    /// Queues a reply shared with other clients (a METRICS text of megabytes), unbounded;
    /// false if the stream failed. When nothing else is queued or held it is written from
    /// `text` itself, kept alive until written: no copy per client.
    bool send_shared(std::shared_ptr<const std::string> text);

    /// While held, replies gather without being written; releasing writes them in one go.
    /// Answers to requests that arrived together (pipelined) thus leave in one write(2).
    void hold(bool on);

    std::size_t queued() const noexcept { return waiting_.size() + in_flight_bytes_.size(); }
    std::uint64_t bytes_sent() const noexcept { return sent_; }
    bool failed() const noexcept { return error_ != 0; }

    /// Adds this queue's bytes to `*total` from now on (and removes them as they leave).
    void account_to(std::size_t* total) noexcept {
        total_ = total;
        account();
    }

    /// Drops what waits (the client is being dropped); the write in flight completes or
    /// is canceled by the stream's close. Nothing counts in the total any more.
    void discard() noexcept;

    /// Runs `callback(state)` once nothing is queued any more (at once if already so).
    void when_drained(void (*callback)(void*), void* state) { when_at_most(0, callback, state); }

    /// Runs `callback(state)` once at most `level` bytes are queued, or the stream failed
    /// (at once if already so). One callback at a time: a new one replaces the last.
    void when_at_most(std::size_t level, void (*callback)(void*), void* state);

private:
    static void on_written(uv_write_t* request, int status);
    std::size_t try_write_now(std::string_view bytes);  // bytes written
    void write_waiting(std::size_t skip = 0);           // skip: bytes of waiting_ already written
    void write_in_flight(std::string_view bytes);
    void account() noexcept {
        if (total_ == nullptr) return;
        *total_ += queued() - accounted_;  // unsigned wrap-around makes a decrease come out right
        accounted_ = queued();
    }
    void stop_accounting() noexcept {
        if (total_ != nullptr) *total_ -= accounted_;
        total_ = nullptr;
        accounted_ = 0;
    }
    void notify() noexcept;

    uv_stream_t* stream_;
    std::size_t limit_;
    std::string waiting_, in_flight_;
    std::shared_ptr<const std::string> shared_in_flight_;  // a shared reply being written
    std::string_view in_flight_bytes_;                     // what uv_write has: in in_flight_ or shared_in_flight_
    uv_write_t request_{};
    std::uint64_t sent_ = 0;
    int error_ = 0;
    bool held_ = false;
    std::size_t* total_ = nullptr;
    std::size_t accounted_ = 0;
    std::size_t notify_level_ = 0;
    void (*notify_)(void*) = nullptr;
    void* notify_state_ = nullptr;
};

}  // namespace pcm::server
