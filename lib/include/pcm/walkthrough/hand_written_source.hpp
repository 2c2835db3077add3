#pragma once
// Step 3 of the walkthrough: a value-task source written by hand, no reusable core.
#include <pcm/async/errors.hpp>
#include <pcm/async/value_task.hpp>
#include <pcm/async/value_task_source.hpp>
#include <pcm/walkthrough/cpu_sample.hpp>
#include <pcm/walkthrough/trace.hpp>

#include <mutex>

namespace pcm::walkthrough {

/// Implements status / on_completed / result itself, with a mutex around a small state
/// machine: idle -> waiting (task handed out) -> done (value stored) -> idle (result taken).
/// The lock is held only to read or change that state, never while running the
/// continuation and never to wait for the value: result() of an unfinished operation
/// throws instead of blocking, which is how the article's first version deadlocked (a
/// semaphore in GetResult, entered from the continuation run by the completing thread).
class HandWrittenSource final : public async::ValueTaskSource<CpuSample> {
public:
    /// A task for the next sample. Throws invalid_operation unless idle.
    async::ValueTask<CpuSample> start();

    /// Completes task `token` with `sample`; false if that task is not the one waiting. Runs
    /// the continuation, if one is registered, on this thread after the lock is released.
    bool complete(async::Token token, const CpuSample& sample);

    /// The token of the current (or last) task.
    async::Token token() const;

    bool idle() const;
    Trace& trace() noexcept { return trace_; }

    async::SourceStatus status(async::Token token) const override;
    void on_completed(async::Continuation continuation, void* state, async::Token token,
                      async::CompletionFlags flags) override;
    CpuSample result(async::Token token) override;

private:
    enum class State { idle, waiting, done };
    void check(async::Token token) const;  // caller holds the lock

    mutable std::mutex mutex_;
    mutable Trace trace_;
    State state_ = State::idle;
    async::Token version_ = 0;
    CpuSample value_;
    async::Continuation continuation_ = nullptr;
    void* continuation_state_ = nullptr;
};

}  // namespace pcm::walkthrough
