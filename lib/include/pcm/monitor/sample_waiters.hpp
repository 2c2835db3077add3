#pragma once
// Consumers waiting for a group's next sample, each on a pooled completion source.
#include <pcm/async/loop_pool.hpp>
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/loop_source.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <stop_token>

namespace pcm::monitor {

/// `next()` was refused: this many consumers already wait (limits.max_waiters).
class too_many_waiters : public std::runtime_error {
public:
    too_many_waiters() : std::runtime_error("too many waiters") {}
};

/// The daemon is stopping; nothing more will be sampled.
class shutting_down : public std::runtime_error {
public:
    shutting_down() : std::runtime_error("the daemon is shutting down") {}
};

class WaiterList;

/// A completion source that, once its result was taken, leaves its list and returns to
/// its pool: the article's "return to the pool inside GetResult". Loop-affine: a WAIT or
/// SUBSCRIBE is created, completed (by the sampling tick, its timeout or its stop token)
/// and awaited on the loop's thread, so it pays no atomic read-modify-write.
class Waiter final : public async::LoopSource<std::uint64_t> {
public:
    using Pool = async::LoopPool<Waiter>;
    Waiter(async::LoopScheduler& scheduler, Pool& pool);

private:
    friend class WaiterList;
    void after_consumed() noexcept override;

    Pool* pool_;
    WaiterList* list_ = nullptr;
    Waiter* prev_ = nullptr;
    Waiter* next_ = nullptr;
};

/// An intrusive doubly-linked list of waiters: linking and unlinking never allocate.
class WaiterList {
public:
    WaiterList() = default;
    WaiterList(const WaiterList&) = delete;
    WaiterList& operator=(const WaiterList&) = delete;
    ~WaiterList() { clear(); }

    void push_back(Waiter& w) noexcept;
    void unlink(Waiter& w) noexcept;
    Waiter* pop_front() noexcept;
    /// Moves every waiter of `other` to the end of this list.
    void splice(WaiterList& other) noexcept;
    void clear() noexcept;
    std::size_t size() const noexcept { return size_; }

private:
    Waiter* head_ = nullptr;
    Waiter* tail_ = nullptr;
    std::size_t size_ = 0;
};

/// The waiters of all groups share one pool and one bound.
class WaiterPool {
public:
    /// `capacity` idle sources are kept; they are created on demand, on the loop thread.
    /// The pool owns every waiter; destroy it after the lists (Monitor's member order).
    WaiterPool(async::LoopScheduler& scheduler, std::size_t capacity);

    /// A new waiter on `list`: its task completes with the sequence number passed to
    /// `complete_all`, or fails with timeout_error, canceled_error (when `stop` is
    /// requested) or shutting_down. Throws too_many_waiters past `limit` outstanding.
    async::ValueTask<std::uint64_t> wait(WaiterList& list, std::size_t limit, std::chrono::milliseconds timeout,
                                         std::stop_token stop);

    /// Completes every waiter on `list` now with `sequence`. Waiters added meanwhile (by a
    /// consumer resumed here that waits again) stay for the next call.
    static void complete_all(WaiterList& list, std::uint64_t sequence) noexcept;
    static void fail_all(WaiterList& list, const std::exception_ptr& error) noexcept;

    async::PoolCounters counters() const noexcept { return pool_.counters(); }
    std::size_t outstanding() const noexcept { return pool_.outstanding(); }

private:
    Waiter::Pool pool_;
};

}  // namespace pcm::monitor
