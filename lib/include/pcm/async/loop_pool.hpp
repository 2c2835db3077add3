#pragma once
// A pool of loop-affine sources, owned by and used on one loop's thread.
#include <pcm/async/errors.hpp>
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/pool_counters.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace pcm::async {

/// Keeps the sources of type `S` (made as `S(scheduler, pool)`) that one loop rents and
/// returns. Single-threaded like its sources: the counters are plain integers, renting
/// a warm source is a vector pop, returning it a push.
///
/// Ownership: the pool owns every source it made, rented or idle. Up to `max_retained`
/// idle ones are kept; one returned beyond that is destroyed. Destroying the pool
/// destroys them all (a coroutine still awaiting one is resumed with canceled_error, see
/// LoopSource); renting during that throws. Destroy it on the loop's thread, before the
/// scheduler, and after the unconsumed tasks of its sources.
template <class S>
class LoopPool {
public:
    LoopPool(LoopScheduler& scheduler, std::size_t max_retained) : scheduler_(&scheduler), max_retained_(max_retained) {
        idle_.reserve(max_retained);
        all_.reserve(max_retained);
    }
    ~LoopPool() {
        closing_ = true;
        while (!all_.empty()) {
            std::unique_ptr<S> source = std::move(all_.back());
            all_.pop_back();
        }
    }
    LoopPool(const LoopPool&) = delete;
    LoopPool& operator=(const LoopPool&) = delete;

    /// An idle source, or a new one. The pool still owns it; it comes back through
    /// `give_back` (a pooled source calls that from after_consumed).
    S* rent() {
        if (closing_) throw invalid_operation("LoopPool::rent: the pool is being destroyed");
        ++counters_.rented;
        if (!idle_.empty()) {
            S* source = idle_.back();
            idle_.pop_back();
            return source;
        }
        all_.push_back(std::make_unique<S>(*scheduler_, *this));
        ++counters_.created;
        return all_.back().get();
    }

    /// Takes back a source rented from this pool, reset and ready.
    void give_back(S* source) noexcept {
        if (closing_ || source == nullptr) return;
        ++counters_.returned;
        if (idle_.size() < max_retained_) {
            idle_.push_back(source);  // capacity reserved: never allocates
            return;
        }
        ++counters_.dropped;
        for (auto& owned : all_) {
            if (owned.get() == source) {
                std::swap(owned, all_.back());
                all_.pop_back();  // destroys it
                return;
            }
        }
    }

    PoolCounters counters() const noexcept { return counters_; }
    std::size_t outstanding() const noexcept { return static_cast<std::size_t>(counters_.rented - counters_.returned); }

private:
    LoopScheduler* scheduler_;
    std::size_t max_retained_;
    std::vector<S*> idle_;
    std::vector<std::unique_ptr<S>> all_;
    PoolCounters counters_{};
    bool closing_ = false;
};

}  // namespace pcm::async
