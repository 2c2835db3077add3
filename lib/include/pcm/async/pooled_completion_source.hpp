#pragma once
// A completion source that goes back to its pool as soon as its result was taken.
#include <pcm/async/completion_source.hpp>
#include <pcm/async/object_pool.hpp>

namespace pcm::async {

/// The article's pooling step as a type: rent one, set `pool`, create a task; once the
/// awaiter has taken the result (inside `result()`, which runs exactly once per task) the
/// source resets, which moves its version on, and returns itself to `pool`. A task kept
/// and awaited again then carries a stale token and fails with invalid_operation.
template <class T>
class PooledCompletionSource final : public CompletionSource<T> {
public:
    using Pool = ObjectPool<PooledCompletionSource>;
    Pool* pool = nullptr;

private:
    void after_consumed() noexcept override {
        this->reset();
        pool->give_back(this);
    }
};

}  // namespace pcm::async
