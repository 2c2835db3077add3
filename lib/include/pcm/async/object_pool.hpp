#pragma once
// A bounded pool of reusable objects, after Microsoft.Extensions.ObjectPool's default pool.
#include <pcm/async/pool_counters.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace pcm::async {

/// How a pool makes objects and vets returned ones.
template <class T>
struct DefaultPoolPolicy {
    std::unique_ptr<T> create() { return std::make_unique<T>(); }
    /// Return false to drop the object instead of keeping it.
    bool on_return(T&) { return true; }
};

/// Keeps up to `max_retained` idle objects: one in a lock-free fast slot, the rest in a
/// free list reserved up front, so renting and returning never allocate once warm.
/// Objects returned beyond the bound are destroyed. Thread-safe.
///
/// The counters cost no read-modify-write on the thread that constructed the pool (its
/// home, in the daemon the loop thread): that thread is their only writer, so a relaxed
/// load and store is exact. Other threads count in a second set with fetch_add; the
/// reported figures are the sums.
template <class T, class Policy = DefaultPoolPolicy<T>>
class ObjectPool {
public:
    /// Gives a rented object back to its pool when the lease ends.
    struct GiveBack {
        ObjectPool* pool;
        void operator()(T* item) const noexcept { pool->give_back(item); }
    };
    /// An object on loan; `release()` it to return it later through `give_back` (e.g. a
    /// source that returns itself once its result was taken).
    using Lease = std::unique_ptr<T, GiveBack>;

    explicit ObjectPool(std::size_t max_retained, Policy policy = Policy())
        : policy_(std::move(policy)), max_in_list_(max_retained > 0 ? max_retained - 1 : 0) {
        free_.reserve(max_in_list_);
    }
    ~ObjectPool() {
        destroy(fast_.exchange(nullptr, std::memory_order_acquire));
        for (T* item : free_) destroy(item);
    }
    ObjectPool(const ObjectPool&) = delete;
    ObjectPool& operator=(const ObjectPool&) = delete;

    /// An idle object, or a new one from the policy.
    Lease rent() {
        bump(&Counts::rented);
        T* item = fast_.exchange(nullptr, std::memory_order_acquire);
        if (item == nullptr) item = pop_free();
        if (item == nullptr) {
            item = policy_.create().release();
            bump(&Counts::created);
        }
        return Lease(item, GiveBack{this});
    }

    /// Takes back an object rented from this pool (and released from its lease).
    void give_back(T* item) noexcept {
        if (item == nullptr) return;
        bump(&Counts::returned);
        bool keep = false;
        try {
            keep = policy_.on_return(*item);
        } catch (...) {}
        if (keep) {
            T* empty = nullptr;
            if (fast_.compare_exchange_strong(empty, item, std::memory_order_release)) return;
            if (push_free(item)) return;
        }
        bump(&Counts::dropped);
        destroy(item);
    }

    PoolCounters counters() const noexcept {
        auto sum = [this](std::atomic<std::uint64_t> Counts::*field) {
            return (home_.*field).load(std::memory_order_relaxed) + (foreign_.*field).load(std::memory_order_relaxed);
        };
        return {sum(&Counts::created), sum(&Counts::rented), sum(&Counts::returned), sum(&Counts::dropped)};
    }

private:
    struct Counts {
        std::atomic<std::uint64_t> created{0}, rented{0}, returned{0}, dropped{0};
    };

    void bump(std::atomic<std::uint64_t> Counts::*field) noexcept {
        if (std::this_thread::get_id() == home_thread_) {
            auto& c = home_.*field;  // single writer: no read-modify-write needed
            c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        } else {
            (foreign_.*field).fetch_add(1, std::memory_order_relaxed);
        }
    }

    static void destroy(T* item) noexcept { std::unique_ptr<T> owned(item); }

    T* pop_free() {
        std::lock_guard lock(mutex_);
        if (free_.empty()) return nullptr;
        T* item = free_.back();
        free_.pop_back();
        return item;
    }

    bool push_free(T* item) {
        std::lock_guard lock(mutex_);
        if (free_.size() >= max_in_list_) return false;
        free_.push_back(item);  // capacity reserved in the constructor: never allocates
        return true;
    }

    Policy policy_;
    std::atomic<T*> fast_{nullptr};
    std::mutex mutex_;
    std::vector<T*> free_;
    std::size_t max_in_list_;
    std::thread::id home_thread_ = std::this_thread::get_id();
    Counts home_, foreign_;
};

}  // namespace pcm::async
