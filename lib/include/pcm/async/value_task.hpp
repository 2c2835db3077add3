#pragma once
// The consumer side: a move-only awaitable over a ready outcome or a (source, token) pair.
#include <pcm/async/errors.hpp>
#include <pcm/async/outcome.hpp>
#include <pcm/async/value_task_source.hpp>

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace pcm::async {

/// The result of an operation that may already be done. Built from a ready value
/// (`ValueTask(v)`), a ready exception (`from_exception`), or a source and the token of
/// one of its operations. Await it once: the first `co_await` (or `get`) consumes it, and
/// awaiting it again, or awaiting a moved-from task, throws `invalid_operation`.
///
/// `co_await` asks `status`, registers through `on_completed` only when pending, and
/// takes the outcome with `result`, which is exactly the call sequence the source
/// contract allows. By default the continuation resumes on the awaiting loop and carries
/// the awaiting thread's ExecutionContext; `configure` changes that.
///
/// Destroying (or assigning over) a task that was never awaited abandons its operation:
/// the source hears of it through `abandon` and, if pooled, returns to its pool once the
/// producer has completed the operation. So the source must outlive its unconsumed tasks.
template <class T>
class [[nodiscard]] ValueTask {
public:
    /// An already consumed task; awaiting it throws.
    ValueTask() noexcept = default;

    /// A task that is already done with `value`.
    template <class U = stored_t<T>>
    requires(!std::is_void_v<T> && !std::is_same_v<std::remove_cvref_t<U>, ValueTask> &&
             std::is_convertible_v<
                 U, stored_t<T>>) explicit ValueTask(U&& value)  // NOLINT(bugprone-forwarding-reference-overload):
                                                                 // a ValueTask is excluded above
        : kind_(Kind::value), value_(std::forward<U>(value)) {}

    /// A task over operation `token` of `source`.
    ValueTask(ValueTaskSource<T>& source, Token token) noexcept
        : kind_(Kind::source), source_(&source), token_(token) {}

    /// A task that is already done with `void`.
    static ValueTask completed() requires std::is_void_v<T> {
        ValueTask task;
        task.kind_ = Kind::value;
        task.value_.emplace();
        return task;
    }

    /// A task that is already done with `error`.
    static ValueTask from_exception(const std::exception_ptr& error) {
        ValueTask task;
        task.kind_ = Kind::error;
        task.error_ = error;
        return task;
    }

    ValueTask(ValueTask&& other) noexcept { take_from(other); }
    ValueTask& operator=(ValueTask&& other) noexcept {
        if (this != &other) {
            abandon();
            take_from(other);
        }
        return *this;
    }
    ~ValueTask() { abandon(); }
    ValueTask(const ValueTask&) = delete;
    ValueTask& operator=(const ValueTask&) = delete;

    /// False once consumed or moved from.
    bool valid() const noexcept { return kind_ != Kind::consumed; }

    /// True when awaiting would not suspend.
    bool is_completed() const {
        require_valid();
        return kind_ != Kind::source || source_->status(token_) != SourceStatus::pending;
    }

    /// Sets the flags passed to `on_completed` (ConfigureAwait).
    ValueTask& configure(CompletionFlags flags) & noexcept {
        flags_ = flags;
        return *this;
    }
    ValueTask&& configure(CompletionFlags flags) && noexcept {
        flags_ = flags;
        return std::move(*this);
    }

    /// The outcome of a completed task, consuming it; `invalid_operation` if pending.
    T get() {
        if (!is_completed()) throw invalid_operation("ValueTask::get: the operation is still pending");
        return await_resume();
    }

    bool await_ready() const { return is_completed(); }

    void await_suspend(std::coroutine_handle<> awaiting) {
        source_->on_completed(&resume, awaiting.address(), token_, flags_);
    }

    T await_resume() {
        require_valid();
        Kind kind = std::exchange(kind_, Kind::consumed);
        switch (kind) {
            case Kind::source: return source_->result(token_);
            case Kind::error: std::rethrow_exception(std::exchange(error_, nullptr));
            default:
                if constexpr (std::is_void_v<T>) return;
                else return std::move(*value_);
        }
    }

private:
    enum class Kind : unsigned char { consumed, value, error, source };

    static void resume(void* address) { std::coroutine_handle<>::from_address(address).resume(); }

    void abandon() noexcept {
        if (kind_ == Kind::source) source_->abandon(token_);
        kind_ = Kind::consumed;
    }

    void require_valid() const {
        if (kind_ == Kind::consumed) throw invalid_operation("ValueTask awaited after it was consumed or moved from");
    }

    void take_from(ValueTask& other) noexcept {
        kind_ = std::exchange(other.kind_, Kind::consumed);
        value_ = std::move(other.value_);
        error_ = std::move(other.error_);
        source_ = other.source_;
        token_ = other.token_;
        flags_ = other.flags_;
    }

    Kind kind_ = Kind::consumed;
    std::optional<stored_t<T>> value_;
    std::exception_ptr error_;
    ValueTaskSource<T>* source_ = nullptr;
    Token token_ = 0;
    CompletionFlags flags_ = CompletionFlags::use_scheduling_context | CompletionFlags::flow_execution_context;
};

}  // namespace pcm::async
