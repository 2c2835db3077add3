#pragma once
// The reusable heart of a value-task source (.NET's ManualResetValueTaskSourceCore):
// everything a hand-written source would otherwise repeat.
#include <pcm/async/errors.hpp>
#include <pcm/async/execution_context.hpp>
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/outcome.hpp>
#include <pcm/async/source_status.hpp>

#include <atomic>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>

namespace pcm::async {

namespace detail {
/// Marks "completed before anyone registered". Never called: a real continuation always
/// replaces it or is compared against it.
inline void completion_sentinel(void*) {}
std::string stale_token_message(Token given, Token current);
}  // namespace detail

/// Holds one operation at a time: its version, outcome and continuation.
///
/// A source embeds a core and forwards its three `ValueTaskSource` members to it. The
/// producer calls `set_result` / `set_exception` once per operation; `reset` readies the
/// next one and bumps the version, which invalidates every token handed out before.
///
/// Completion and registration may race (the producer on one thread, the awaiter on
/// another). One compare-exchange on the continuation slot settles it: whoever comes
/// second sees the other's value, and exactly one side runs the continuation.
template <class T>
class ManualResetSourceCore {
    static_assert(std::is_nothrow_move_constructible_v<stored_t<T>>,
                  "set_result is noexcept, so the result must move without throwing");

public:
    /// When true, the continuation never runs inline inside `set_result`: it is posted to
    /// the awaiting thread's loop (if it has one), as .NET posts to the thread pool.
    bool run_continuations_asynchronously = false;

    ManualResetSourceCore() = default;
    ManualResetSourceCore(const ManualResetSourceCore&) = delete;
    ManualResetSourceCore& operator=(const ManualResetSourceCore&) = delete;

    /// The token of the current operation.
    Token version() const noexcept { return version_.load(std::memory_order_relaxed); }

    /// Prepares the next operation. The caller guarantees the current one is finished
    /// with: completed and its result taken, or never handed out; nobody else touches the
    /// core meanwhile, so the version needs no read-modify-write.
    void reset() noexcept {
        version_.store(version() + 1, std::memory_order_relaxed);  // wraps after 2^32: see Token
        result_.reset();
        error_ = nullptr;
        error_is_cancel_ = false;
        state_ = nullptr;
        scheduler_ = nullptr;
        flow_context_ = false;
        completed_.store(false, std::memory_order_relaxed);
        continuation_.store(nullptr, std::memory_order_release);
    }

    /// Completes the operation with `value`. Returns false (and changes nothing) if it
    /// was already completed. One producer per operation: producers that race each other
    /// need `CompletionSource`, which decides the winner before it reaches the core.
    bool set_result(stored_t<T> value) noexcept {
        if (completed_.load(std::memory_order_relaxed)) return false;
        result_.emplace(std::move(value));
        signal_completion();
        return true;
    }

    /// Completes the operation with `error`; a `canceled_error` makes the status
    /// `canceled`. Returns false if it was already completed.
    bool set_exception(std::exception_ptr error) noexcept {
        if (completed_.load(std::memory_order_relaxed)) return false;
        error_is_cancel_ = is_cancellation(error);
        error_ = std::move(error);
        signal_completion();
        return true;
    }

    SourceStatus status(Token token) const {
        validate(token);
        // Until the completing side has published its mark in the slot, report pending:
        // an awaiter that saw "done" earlier could consume and reset the core while the
        // producer's compare-exchange is still to come, and that late exchange would then
        // land in the next operation's slot.
        if (continuation_.load(std::memory_order_acquire) == nullptr ||
            !completed_.load(std::memory_order_acquire))
            return SourceStatus::pending;
        if (!error_) return SourceStatus::succeeded;
        return error_is_cancel_ ? SourceStatus::canceled : SourceStatus::faulted;
    }

    void on_completed(Continuation continuation, void* state, Token token, CompletionFlags flags) {
        validate(token);
        Continuation seen = continuation_.load(std::memory_order_acquire);
        if (seen != nullptr && seen != &detail::completion_sentinel)
            throw invalid_operation("on_completed: a continuation is already registered");

        flow_context_ = has_flag(flags, CompletionFlags::flow_execution_context);
        if (flow_context_) context_ = ExecutionContext::current();
        scheduler_ = has_flag(flags, CompletionFlags::use_scheduling_context) || run_continuations_asynchronously
                         ? LoopScheduler::current()
                         : nullptr;
        state_ = state;

        if (seen == nullptr) {
            if (continuation_.compare_exchange_strong(seen, continuation, std::memory_order_acq_rel,
                                                      std::memory_order_acquire))
                return;  // registered; the producer will run it
            if (seen != &detail::completion_sentinel)
                throw invalid_operation("on_completed: a continuation is already registered");
        }
        // Completed between status() and now: run it at once.
        invoke(continuation);
    }

    /// The value, or the stored exception rethrown. Throws `invalid_operation` for a stale
    /// token or before completion; never waits.
    T result(Token token) {
        validate(token);
        if (!completed_.load(std::memory_order_acquire))
            throw invalid_operation("result: the operation has not completed");
        if (error_) std::rethrow_exception(error_);
        if constexpr (!std::is_void_v<T>) return std::move(*result_);
    }

private:
    static bool is_cancellation(const std::exception_ptr& error) noexcept {
        try {
            std::rethrow_exception(error);
        } catch (const canceled_error&) {
            return true;
        } catch (...) {
            return false;
        }
    }

    void validate(Token token) const {
        Token current = version();
        if (token != current) throw invalid_operation(detail::stale_token_message(token, current));
    }

    void signal_completion() noexcept {
        completed_.store(true, std::memory_order_release);
        Continuation seen = continuation_.load(std::memory_order_acquire);
        if (seen == nullptr &&
            continuation_.compare_exchange_strong(seen, &detail::completion_sentinel, std::memory_order_acq_rel,
                                                  std::memory_order_acquire))
            return;  // nobody waits yet; on_completed will find the sentinel
        invoke(seen);
    }

    void invoke(Continuation continuation) noexcept {
        const ExecutionContext* context = flow_context_ ? &context_ : nullptr;
        if (scheduler_ != nullptr && (run_continuations_asynchronously || !scheduler_->on_loop_thread())) {
            work_.continuation = continuation;
            work_.state = state_;
            work_.context = context_;
            work_.flow_context = flow_context_;
            scheduler_->post(work_);
            return;
        }
        run_continuation(continuation, state_, context);
    }

    std::atomic<Continuation> continuation_{nullptr};
    std::atomic<bool> completed_{false};
    std::atomic<Token> version_{0};
    void* state_ = nullptr;
    std::optional<stored_t<T>> result_;
    std::exception_ptr error_;
    bool error_is_cancel_ = false;
    bool flow_context_ = false;
    ExecutionContext context_{};
    LoopScheduler* scheduler_ = nullptr;
    ScheduledWork work_{};
};

}  // namespace pcm::async
