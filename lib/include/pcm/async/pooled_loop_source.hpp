#pragma once
// A loop-affine source that goes back to its loop-owned pool once its result was taken.
#include <pcm/async/loop_pool.hpp>
#include <pcm/async/loop_source.hpp>

namespace pcm::async {

/// The pooled step for a single loop: rent from a `LoopPool`, `create_task`; once the
/// awaiter has taken the result (or the abandoned task completed) the source resets,
/// which moves its version on, and returns itself to the pool. A kept task then carries a
/// stale token and fails with invalid_operation.
template <class T>
class PooledLoopSource final : public LoopSource<T> {
public:
    using Pool = LoopPool<PooledLoopSource>;
    PooledLoopSource(LoopScheduler& scheduler, Pool& pool) : LoopSource<T>(scheduler), pool_(&pool) {}

private:
    void after_consumed() noexcept override {
        this->reset();
        pool_->give_back(this);
    }

    Pool* pool_;
};

}  // namespace pcm::async
