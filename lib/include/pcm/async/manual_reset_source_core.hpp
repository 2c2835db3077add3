#pragma once
// The reusable heart of a value-task source (.NET's ManualResetValueTaskSourceCore):
// everything a hand-written source would otherwise repeat.
#include <pcm/async/errors.hpp>
#include <pcm/async/execution_context.hpp>
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/outcome.hpp>
#include <pcm/async/source_status.hpp>

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace pcm::async {

namespace detail {
/// Marks "completed before anyone registered". Never called: a real continuation always
/// replaces it or is compared against it.
inline void completion_sentinel(void*) {}
/// Marks "the task was abandoned (its ValueTask destroyed un-awaited)": completing it
/// calls the core's abandon handler instead of resuming anyone. Never called itself.
inline void abandoned_sentinel(void*) {}
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
///
/// `status` reads atomics only, and re-checks the version after reading, so that a
/// misbehaving second task on an old token, polled from another thread while the core
/// is reset, gets "stale token" or a consistent answer: never a data race.
template <class T>
class ManualResetSourceCore {
    static_assert(std::is_nothrow_move_constructible_v<stored_t<T>>,
                  "set_result is noexcept, so the result must move without throwing");

public:
    /// When true, the continuation never runs inline inside `set_result`: it is posted to
    /// the awaiting thread's loop, or, if that thread has no loop, to a fallback thread
    /// (as .NET posts to the thread pool).
    bool run_continuations_asynchronously = false;

    ManualResetSourceCore() = default;
    ManualResetSourceCore(const ManualResetSourceCore&) = delete;
    ManualResetSourceCore& operator=(const ManualResetSourceCore&) = delete;

    /// The token of the current operation.
    Token version() const noexcept { return version_.load(std::memory_order_acquire); }

    /// Prepares the next operation. The caller guarantees the current one is finished
    /// with: completed and its result taken, or never handed out; nobody else touches the
    /// core meanwhile, so the version needs no read-modify-write.
    void reset() noexcept {
        // The version moves first (release): a concurrent status() on the old token then
        // fails its re-check instead of mixing old and new fields.
        version_.store(version() + 1, std::memory_order_release);
        outcome_.store(Kind::none, std::memory_order_relaxed);
        result_.reset();
        error_ = nullptr;
        state_ = nullptr;
        if (scheduler_) scheduler_.reset();
        flow_context_ = false;
        force_inline_ = false;
        completed_.store(false, std::memory_order_relaxed);
        continuation_.store(nullptr, std::memory_order_release);
    }

    /// Completes the operation with `value`. Returns false (and changes nothing) if it
    /// was already completed. One producer per operation: producers that race each other
    /// need `CompletionSource`, which decides the winner before it reaches the core.
    bool set_result(stored_t<T> value) noexcept {
        if (completed_.load(std::memory_order_relaxed)) return false;
        result_.emplace(std::move(value));
        outcome_.store(Kind::value, std::memory_order_relaxed);
        signal_completion();
        return true;
    }

    /// Completes the operation with `error`; a `canceled_error` makes the status
    /// `canceled`. Returns false if it was already completed. A null `error` is refused
    /// with std::invalid_argument (.NET's ArgumentNullException) and changes nothing.
    bool set_exception(std::exception_ptr error) {
        if (!error) throw std::invalid_argument("set_exception: the exception_ptr is null");
        if (completed_.load(std::memory_order_relaxed)) return false;
        Kind kind = is_cancellation(error) ? Kind::canceled : Kind::error;
        error_ = std::move(error);
        outcome_.store(kind, std::memory_order_relaxed);
        signal_completion();
        return true;
    }

    SourceStatus status(Token token) const {
        validate(token);
        // Until the completing side has published its mark in the slot, report pending:
        // an awaiter that saw "done" earlier could consume and reset the core while the
        // producer's compare-exchange is still to come, and that late exchange would then
        // land in the next operation's slot.
        SourceStatus answer = SourceStatus::pending;
        if (continuation_.load(std::memory_order_acquire) != nullptr && completed_.load(std::memory_order_acquire)) {
            switch (outcome_.load(std::memory_order_acquire)) {
                case Kind::value: answer = SourceStatus::succeeded; break;
                case Kind::error: answer = SourceStatus::faulted; break;
                case Kind::canceled: answer = SourceStatus::canceled; break;
                case Kind::none: break;
            }
        }
        // The loads above are acquires, so this re-read cannot move before them: if the
        // version still matches, the fields read belong to this token, not a recycled one.
        validate(token);
        return answer;
    }

    void on_completed(Continuation continuation, void* state, Token token, CompletionFlags flags) {
        validate(token);
        Continuation seen = continuation_.load(std::memory_order_acquire);
        if (seen != nullptr && seen != &detail::completion_sentinel)
            throw invalid_operation("on_completed: a continuation is already registered");

        flow_context_ = has_flag(flags, CompletionFlags::flow_execution_context);
        if (flow_context_) context_ = ExecutionContext::current();
        if (has_flag(flags, CompletionFlags::use_scheduling_context) || run_continuations_asynchronously) {
            // Shared ownership of the queue: a completion after the loop is gone is then
            // refused, not a use of freed memory.
            if (LoopScheduler* current = LoopScheduler::current()) scheduler_ = current->queue();
        }
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

    /// Who to call when an abandoned operation completes (set once, before any task).
    void set_abandon_handler(Continuation handler, void* owner) noexcept {
        abandon_handler_ = handler;
        abandon_owner_ = owner;
    }

    /// The task of `token` was dropped without being awaited: once it completes (now, if it
    /// already has), the abandon handler runs instead of any continuation, on the thread
    /// that completes it. Ignores stale tokens. A continuation already registered (its
    /// coroutine frame destroyed while suspended) is replaced, so it is never resumed.
    void abandon(Token token) noexcept {
        if (abandon_handler_ == nullptr || version() != token) return;
        Continuation seen = continuation_.load(std::memory_order_acquire);
        for (;;) {
            if (seen == &detail::abandoned_sentinel) return;
            if (seen == &detail::completion_sentinel) {
                abandon_handler_(abandon_owner_);
                return;
            }
            if (continuation_.compare_exchange_weak(seen, &detail::abandoned_sentinel, std::memory_order_acq_rel,
                                                    std::memory_order_acquire))
                return;
        }
    }

    /// True when an awaiter is registered and still to be resumed.
    bool has_waiter() const noexcept {
        Continuation seen = continuation_.load(std::memory_order_acquire);
        return seen != nullptr && seen != &detail::completion_sentinel && seen != &detail::abandoned_sentinel;
    }

    /// The next completion resumes the awaiter inside the completing call whatever the
    /// flags say: for a source being destroyed, whose posted work could not outlive it.
    void force_inline() noexcept { force_inline_ = true; }

private:
    enum class Kind : std::uint8_t { none, value, error, canceled };

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
        if (continuation == &detail::abandoned_sentinel) {
            abandon_handler_(abandon_owner_);
            return;
        }
        const ExecutionContext* context = flow_context_ ? &context_ : nullptr;
        if (!force_inline_) {
            if (scheduler_ && (run_continuations_asynchronously || !scheduler_->on_loop_thread())) {
                fill_work(continuation);
                if (!scheduler_->post(work_)) detail::report_refused_post();
                return;
            }
            if (run_continuations_asynchronously) {
                // No loop to go to: still never inline, as documented.
                fill_work(continuation);
                detail::post_to_fallback(work_);
                return;
            }
        }
        run_continuation(continuation, state_, context);
    }

    void fill_work(Continuation continuation) noexcept {
        work_.continuation = continuation;
        work_.state = state_;
        work_.context = context_;
        work_.flow_context = flow_context_;
    }

    std::atomic<Continuation> continuation_{nullptr};
    std::atomic<bool> completed_{false};
    std::atomic<Kind> outcome_{Kind::none};
    std::atomic<Token> version_{0};
    void* state_ = nullptr;
    std::optional<stored_t<T>> result_;
    std::exception_ptr error_;
    bool flow_context_ = false;
    bool force_inline_ = false;
    ExecutionContext context_{};
    std::shared_ptr<detail::SchedulerQueue> scheduler_;
    ScheduledWork work_{};
    Continuation abandon_handler_ = nullptr;
    void* abandon_owner_ = nullptr;
};

}  // namespace pcm::async
