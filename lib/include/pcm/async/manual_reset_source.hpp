#pragma once
// A complete value-task source over the reusable core: what most hand-written sources
// reduce to once the core does the work.
#include <pcm/async/manual_reset_source_core.hpp>
#include <pcm/async/value_task.hpp>
#include <pcm/async/value_task_source.hpp>

namespace pcm::async {

/// Forwards the source contract to a `ManualResetSourceCore`. The producer completes
/// through `core()`, the consumer awaits `task()`, and `core().reset()` readies the next
/// operation. Single producer per operation; no timeout or cancellation (see
/// `CompletionSource` for those).
template <class T>
class ManualResetSource final : public ValueTaskSource<T> {
public:
    ManualResetSourceCore<T>& core() noexcept { return core_; }

    /// A task over the current operation.
    ValueTask<T> task() noexcept { return ValueTask<T>(*this, core_.version()); }

    SourceStatus status(Token token) const override { return core_.status(token); }
    void on_completed(Continuation continuation, void* state, Token token, CompletionFlags flags) override {
        core_.on_completed(continuation, state, token, flags);
    }
    T result(Token token) override { return core_.result(token); }

private:
    ManualResetSourceCore<T> core_;
};

}  // namespace pcm::async
