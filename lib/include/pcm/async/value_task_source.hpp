#pragma once
// The producer side of a ValueTask: the C++ shape of .NET's IValueTaskSource<T>.
#include <pcm/async/source_status.hpp>

namespace pcm::async {

/// An object that can back many `ValueTask<T>`s, one at a time, each told apart by a
/// `Token`. Legal call sequences from an awaiter are exactly:
///   pending:  status(t) -> on_completed(..., t, ...) -> result(t)
///   done:     status(t) -> result(t)
/// Every member throws `invalid_operation` for a token that is not the current one.
template <class T>
class ValueTaskSource {
public:
    /// Where the operation identified by `token` stands. Never blocks.
    virtual SourceStatus status(Token token) const = 0;

    /// Registers `continuation(state)` to run once the operation completes. If it has
    /// completed since `status` was asked, the continuation runs before this returns.
    virtual void on_completed(Continuation continuation, void* state, Token token, CompletionFlags flags) = 0;

    /// The outcome: the value, or the stored exception rethrown. Called once per
    /// operation, only after completion; it never waits.
    virtual T result(Token token) = 0;

    /// The task of `token` was destroyed without being awaited (or its awaiting coroutine
    /// was destroyed while suspended). A pooled source uses this to go back to its pool
    /// once its producer is done with the operation; by default nothing happens. Never
    /// throws; ignores stale tokens. The source must still be alive: a source outlives
    /// the tasks it handed out, unless they were consumed.
    virtual void abandon(Token token) noexcept { (void)token; }

protected:
    ~ValueTaskSource() = default;
};

}  // namespace pcm::async
