#pragma once
// A completion source bound to one libuv loop's thread: the same contract as
// CompletionSource, without the thread safety that a single-threaded handoff pays for.
#include <pcm/async/errors.hpp>
#include <pcm/async/execution_context.hpp>
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/outcome.hpp>
#include <pcm/async/stop_relay.hpp>
#include <pcm/async/value_task.hpp>
#include <pcm/async/value_task_source.hpp>
#include <pcm/uv/handle.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <utility>

// Debug builds check that every call comes from the loop's thread; a release build
// compiles the check away (it is on the path this type exists to make cheap).
#ifndef PCM_CHECK_LOOP_AFFINITY
#ifdef NDEBUG
#define PCM_CHECK_LOOP_AFFINITY 0
#else
#define PCM_CHECK_LOOP_AFFINITY 1
#endif
#endif

namespace pcm::async {

namespace detail {
[[noreturn]] void loop_affinity_violated(const char* what) noexcept;
std::string stale_token_message(Token given, Token current);
}  // namespace detail

/// Hands out one `ValueTask<T>` at a time, for a task that is created, completed and
/// awaited on one loop's thread (the daemon's WAIT and SUBSCRIBE): no atomic
/// read-modify-write on the path from `create_task` to `result`.
///
/// Same contract as `CompletionSource`: life cycle ready -> pending -> completed ->
/// consumed -> (reset) ready with a new version; stale tokens and a second await throw
/// `invalid_operation`; exactly one of result, exception, timeout and cancellation wins
/// (they all run on the loop, so "first" is simply first). A timeout runs on one libuv
/// timer per source, made on first use and re-armed per task. A `std::stop_token` may be
/// stopped on any thread: the request reaches the source through the loop's scheduler
/// (`detail::StopRelay`), and cancels the task if it is still the pending one.
///
/// Thread rule: construct, use and destroy on the loop's thread; `PCM_CHECK_LOOP_AFFINITY`
/// (on in debug builds) aborts on a call from another thread. Producers on other threads
/// use `CompletionSource`.
///
/// Ownership: as for `CompletionSource`. A task dropped un-awaited is abandoned: once
/// completed (by its producer, timeout or stop) the source passes through
/// `after_consumed`, so a pooled one goes back to its pool. Destroying a source while a
/// coroutine awaits it resumes that coroutine at once with `canceled_error`. The source
/// must outlive its unconsumed tasks, and is destroyed while its loop is open.
template <class T>
class LoopSource : public ValueTaskSource<T> {
public:
    explicit LoopSource(LoopScheduler& scheduler) : loop_(scheduler.loop()), queue_(scheduler.queue()) {}
    virtual ~LoopSource() {
        check_thread("~LoopSource");
        if (relay_) relay_->detach();
        stop_callback_.reset();
        if (phase_ == Phase::pending && continuation_ != nullptr && !abandoned_) {
            // Resume the awaiter rather than leak its frame; inline, since nothing posted
            // could outlive this source.
            async_ = false;
            complete(version_, [](LoopSource& s) {
                s.error_ = std::make_exception_ptr(canceled_error("the source was destroyed while awaited"));
                s.canceled_ = true;
            });
        }
    }
    LoopSource(const LoopSource&) = delete;
    LoopSource& operator=(const LoopSource&) = delete;

    /// Starts a new task. Legal only when ready; a zero timeout means none. If `stop` is
    /// already requested, the task is canceled at once.
    ValueTask<T> create_task(std::chrono::milliseconds timeout = std::chrono::milliseconds::zero(),
                             std::stop_token stop = {}) {
        check_thread("create_task");
        if (phase_ != Phase::ready)
            throw invalid_operation("create_task: the previous task has not been consumed and reset");
        phase_ = Phase::pending;
        ValueTask<T> task(*this, version_);
        if (timeout.count() > 0) {
            if (!timer_) {
                timer_ = uv::Handle<uv_timer_t>(uv_timer_init, loop_);
                timer_.get()->data = this;
            }
            uv_timer_start(timer_.get(), &on_timer, static_cast<std::uint64_t>(timeout.count()), 0);
            timer_armed_ = true;
        }
        if (stop.stop_possible()) {
            if (stop.stop_requested()) {
                try_set_canceled(version_);
            } else {
                if (!relay_) relay_ = std::make_shared<detail::StopRelay>(queue_, this, &on_stop);
                stop_ = stop;
                stop_callback_.emplace(std::move(stop), detail::StopRelay::Callback{relay_.get()});
            }
        }
        return task;
    }

    /// Completes the current task with `value`; false if it is not pending any more.
    bool try_set_result(stored_t<T> value) { return try_set_result(version_, std::move(value)); }
    /// As above, but only if task `token` is still the current, pending one.
    bool try_set_result(Token token, stored_t<T> value) {
        return complete(token, [&value](LoopSource& s) { s.value_.emplace(std::move(value)); });
    }
    bool try_set_result() requires std::is_void_v<T> { return try_set_result(std::monostate{}); }

    /// A null `error` is refused with std::invalid_argument and leaves the task pending.
    bool try_set_exception(std::exception_ptr error) { return try_set_exception(version_, std::move(error)); }
    bool try_set_exception(Token token, std::exception_ptr error) {
        if (!error) throw std::invalid_argument("try_set_exception: the exception_ptr is null");
        return complete(token, [&error](LoopSource& s) { s.set_error(std::move(error)); });
    }

    /// Cancels the current task through `on_canceled`; false if it is not pending.
    bool try_set_canceled() { return try_set_canceled(version_); }
    bool try_set_canceled(Token token) { return complete_through(token, &LoopSource::on_canceled); }

    /// Readies the source for the next task (new version). Throws while a task is pending.
    void reset() {
        check_thread("reset");
        if (phase_ == Phase::pending) throw invalid_operation("reset: a task is still pending");
        disarm();
        ++version_;  // 64 bits: at one reset per nanosecond, centuries before a wrap
        phase_ = Phase::ready;
        value_.reset();
        // exception_ptr's destructor is an out-of-line library call: skip it when empty,
        // which is every successful handoff.
        if (error_) error_ = nullptr;
        canceled_ = false;
        continuation_ = nullptr;
        abandoned_ = false;
        flow_context_ = false;
    }

    Token current_version() const noexcept { return version_; }
    bool is_pending() const noexcept { return phase_ == Phase::pending; }

    /// Never resume inline in the completing call: post to the loop instead.
    void set_run_continuations_asynchronously(bool on) noexcept { async_ = on; }

    // ValueTaskSource<T>
    SourceStatus status(Token token) const override {
        check_thread("status");
        validate(token);
        if (phase_ == Phase::pending) return SourceStatus::pending;
        if (!error_) return SourceStatus::succeeded;
        return canceled_ ? SourceStatus::canceled : SourceStatus::faulted;
    }

    void on_completed(Continuation continuation, void* state, Token token, CompletionFlags flags) override {
        check_thread("on_completed");
        validate(token);
        if (continuation_ != nullptr || abandoned_ || phase_ == Phase::consumed)
            throw invalid_operation("on_completed: a continuation is already registered");
        // Everything happens on this loop, so use_scheduling_context needs nothing more.
        flow_context_ = has_flag(flags, CompletionFlags::flow_execution_context);
        if (flow_context_) context_ = ExecutionContext::current();
        if (phase_ == Phase::completed) {
            resume(continuation, state);  // completed between status() and now
            return;
        }
        continuation_ = continuation;
        state_ = state;
    }

    T result(Token token) override {
        check_thread("result");
        validate(token);
        if (phase_ == Phase::consumed) throw invalid_operation("result: the task was already consumed");
        if (phase_ == Phase::pending) throw invalid_operation("result: the operation has not completed");
        phase_ = Phase::consumed;
        if (error_) {
            std::exception_ptr error = std::exchange(error_, nullptr);
            after_consumed();  // may reset and return this source to a pool: touch nothing after
            std::rethrow_exception(error);
        }
        if constexpr (std::is_void_v<T>) {
            after_consumed();
        } else {
            T value = std::move(*value_);
            value_.reset();
            after_consumed();
            return value;
        }
    }

    void abandon(Token token) noexcept override {
        check_thread("abandon");
        if (token != version_ || phase_ == Phase::consumed || phase_ == Phase::ready) return;
        continuation_ = nullptr;  // a coroutine destroyed while suspended is never resumed
        if (phase_ == Phase::pending) {
            abandoned_ = true;  // complete() finishes the job
            return;
        }
        finish_abandoned();
    }

protected:
    /// Called once per task after its outcome was taken (or the abandoned task completed):
    /// the place to `reset()` and return the source to its pool.
    virtual void after_consumed() noexcept {}
    /// Decides the outcome of a timed-out task; by default it fails with `timeout_error`.
    virtual Outcome<T> on_timeout() { return Outcome<T>::failure(timeout_error()); }
    /// Decides the outcome of a canceled task; by default it fails with `canceled_error`.
    virtual Outcome<T> on_canceled() { return Outcome<T>::failure(canceled_error()); }

private:
    enum class Phase : std::uint8_t { ready, pending, completed, consumed };

    void check_thread([[maybe_unused]] const char* what) const noexcept {
        if constexpr (PCM_CHECK_LOOP_AFFINITY) {
            if (!queue_->on_loop_thread()) detail::loop_affinity_violated(what);
        }
    }

    void validate(Token token) const {
        if (token != version_) throw invalid_operation(detail::stale_token_message(token, version_));
    }

    void set_error(std::exception_ptr error) noexcept {
        try {
            std::rethrow_exception(error);
        } catch (const canceled_error&) {
            canceled_ = true;
        } catch (...) {}
        error_ = std::move(error);
    }

    // The one completion path: store the outcome, stop the timer and the stop callback,
    // then resume the awaiter (or finish an abandoned task). Resuming is the last thing
    // done: the awaiter may consume and recycle this source.
    template <class Store>
    bool complete(Token token, Store store) {
        check_thread("completion");
        if (token != version_ || phase_ != Phase::pending) return false;
        store(*this);
        phase_ = Phase::completed;
        disarm();
        if (abandoned_) {
            finish_abandoned();
            return true;
        }
        if (Continuation continuation = std::exchange(continuation_, nullptr)) resume(continuation, state_);
        return true;
    }

    bool complete_through(Token token, Outcome<T> (LoopSource::*decide)()) {
        if (token != version_ || phase_ != Phase::pending) return false;
        std::optional<Outcome<T>> outcome;
        try {
            outcome.emplace((this->*decide)());
        } catch (...) {
            outcome.emplace(std::current_exception());
        }
        if (outcome->has_value()) return try_set_result(token, std::move(outcome->value()));
        std::exception_ptr error = outcome->error();
        if (!error) error = std::make_exception_ptr(std::invalid_argument("on_timeout/on_canceled: null error"));
        return complete(token, [&error](LoopSource& s) { s.set_error(std::move(error)); });
    }

    void resume(Continuation continuation, void* state) noexcept {
        if (async_) {
            work_.continuation = continuation;
            work_.state = state;
            work_.context = context_;
            work_.flow_context = flow_context_;
            if (!queue_->post(work_)) detail::report_refused_post();
            return;
        }
        run_continuation(continuation, state, flow_context_ ? &context_ : nullptr);
    }

    void finish_abandoned() noexcept {
        phase_ = Phase::consumed;
        value_.reset();
        if (error_) error_ = nullptr;
        after_consumed();
    }

    void disarm() noexcept {
        if (timer_armed_) {
            uv_timer_stop(timer_.get());
            timer_armed_ = false;
        }
        if (stop_callback_) {
            stop_callback_.reset();  // waits for a callback running on another thread (it only posts)
            stop_ = {};
        }
    }

    static void on_timer(uv_timer_t* timer) {
        auto* self = static_cast<LoopSource*>(timer->data);
        self->timer_armed_ = false;
        self->complete_through(self->version_, &LoopSource::on_timeout);
    }

    // Run on the loop by the stop relay: cancel the current task if its own stop token asks.
    static void on_stop(void* target) {
        auto* self = static_cast<LoopSource*>(target);
        if (self->phase_ == Phase::pending && self->stop_.stop_requested()) self->try_set_canceled(self->version_);
    }

    Token version_ = 0;
    Phase phase_ = Phase::ready;
    bool canceled_ = false;
    bool abandoned_ = false;
    bool async_ = false;
    bool flow_context_ = false;
    bool timer_armed_ = false;
    Continuation continuation_ = nullptr;
    void* state_ = nullptr;
    ExecutionContext context_{};
    std::optional<stored_t<T>> value_;
    std::exception_ptr error_;
    uv_loop_t* loop_;
    std::shared_ptr<detail::SchedulerQueue> queue_;
    uv::Handle<uv_timer_t> timer_;
    std::stop_token stop_;
    std::shared_ptr<detail::StopRelay> relay_;
    std::optional<std::stop_callback<detail::StopRelay::Callback>> stop_callback_;
    ScheduledWork work_{};
};

}  // namespace pcm::async
