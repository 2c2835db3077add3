#pragma once
// The producer side of a value task that can be pooled and reused, with timeout and
// cancellation: the C++ shape of .NEXT's ValueTaskCompletionSource<T>.
#include <pcm/async/errors.hpp>
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/manual_reset_source_core.hpp>
#include <pcm/async/outcome.hpp>
#include <pcm/async/value_task.hpp>
#include <pcm/async/value_task_source.hpp>
#include <pcm/uv/handle.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <thread>

namespace pcm::async {

/// Hands out one `ValueTask<T>` at a time and lets any number of parties race to
/// complete it.
///
/// Life cycle: ready --create_task--> pending --try_set_*/timeout/cancel--> completed
/// --awaited--> consumed --reset--> ready (with a new version). Exactly one of result,
/// exception, cancellation and timeout wins; the others' calls return false.
///
/// Timeouts use one libuv timer owned by the source and re-armed per task, so a source
/// with a timeout must be created, and `create_task` called, on its loop's thread.
/// Everything armed for a task (the timer, the stop callback) carries that task's version
/// and can never complete a later task of the same source. No allocation per task.
///
/// Ownership and misuse: a source must outlive every task it handed out that is not yet
/// consumed. Dropping a task un-awaited abandons it: nothing is resumed, and once the
/// operation completes (result, error, timeout or stop) the source passes through
/// `after_consumed` as if awaited, so a pooled source goes back to its pool. Destroying a
/// source while a coroutine awaits it resumes that coroutine at once, inside the
/// destructor, with `canceled_error`, so that its frame can unwind and be freed rather
/// than leak: destroy sources on the awaiting loop's thread. A source with a timeout is
/// destroyed on its loop's thread while that loop is open (its timer is a libuv handle).
template <class T>
class CompletionSource : public ValueTaskSource<T> {
public:
    /// A source whose tasks can time out on `scheduler`'s loop. Construct on that loop.
    explicit CompletionSource(LoopScheduler& scheduler)
        : loop_thread_(std::this_thread::get_id()), timer_(uv_timer_init, scheduler.loop()) {
        timer_.get()->data = this;
        core_.set_abandon_handler(&CompletionSource::finish_abandoned, this);
    }
    /// A source without timeouts, usable from any thread.
    CompletionSource() { core_.set_abandon_handler(&CompletionSource::finish_abandoned, this); }
    virtual ~CompletionSource() {
        // A coroutine still waiting here would otherwise stay suspended forever and its
        // frame leak: resume it now (derived parts are gone, so after_consumed is ours).
        const std::uint64_t seen = state_.load(std::memory_order_acquire);
        if (phase(seen) == Phase::pending && core_.has_waiter() && claim(version_of(seen))) {
            core_.force_inline();
            try {
                core_.set_exception(std::make_exception_ptr(canceled_error("the source was destroyed while awaited")));
            } catch (...) {}
        }
    }
    CompletionSource(const CompletionSource&) = delete;
    CompletionSource& operator=(const CompletionSource&) = delete;

    /// Starts a new task. Legal only when ready (new, or reset after consumption); a zero
    /// timeout means none. If `stop` is already requested, the task is canceled at once.
    ValueTask<T> create_task(std::chrono::milliseconds timeout = std::chrono::milliseconds::zero(),
                             std::stop_token stop = {}) {
        // In the ready state only the owner may change the source (producers and armed
        // callbacks act on pending tasks only), so a plain store is enough here.
        const std::uint64_t seen = state_.load(std::memory_order_acquire);
        const Token version = version_of(seen);
        if (phase(seen) != Phase::ready)
            throw invalid_operation("create_task: the previous task has not been consumed and reset");
        if (timeout.count() > 0 && (!timer_ || std::this_thread::get_id() != loop_thread_))
            throw invalid_operation("create_task: a timeout needs the source's loop thread");
        state_.store(pack(version, Phase::pending), std::memory_order_release);
        if (timeout.count() > 0) {
            armed_version_ = version;
            uv_timer_start(timer_.get(), &on_timer, static_cast<std::uint64_t>(timeout.count()), 0);
        }
        if (stop.stop_possible()) stop_callback_.emplace(std::move(stop), CancelOnStop{this, version});
        return ValueTask<T>(*this, version);
    }

    /// Completes the current task with `value`; false if something else won first.
    bool try_set_result(stored_t<T> value) { return try_set_result(current_version(), std::move(value)); }
    /// As above, but only if task `token` is still the current, pending one.
    bool try_set_result(Token token, stored_t<T> value) {
        if (!claim(token)) return false;
        core_.set_result(std::move(value));
        return true;
    }
    bool try_set_result() requires std::is_void_v<T> { return try_set_result(std::monostate{}); }

    /// Completes the current task with `error`; false if something else won first.
    bool try_set_exception(std::exception_ptr error) { return try_set_exception(current_version(), std::move(error)); }
    /// A null `error` is refused with std::invalid_argument (as .NET refuses null with
    /// ArgumentNullException) and leaves the task pending.
    bool try_set_exception(Token token, std::exception_ptr error) {
        if (!error) throw std::invalid_argument("try_set_exception: the exception_ptr is null");
        if (!claim(token)) return false;
        core_.set_exception(std::move(error));
        return true;
    }

    /// Cancels the current task through `on_canceled`; false if something else won first.
    bool try_set_canceled() { return try_set_canceled(current_version()); }
    bool try_set_canceled(Token token) { return complete_through(token, &CompletionSource::on_canceled); }

    /// Readies the source for the next task. Once it returns, nothing armed for earlier
    /// tasks can complete the next one: the stop callback is unregistered (waiting for it if
    /// it is running on another thread) and the version moves on. Throws while a task is
    /// pending, since its awaiter would never be resumed.
    void reset() {
        if (phase(state_.load(std::memory_order_acquire)) == Phase::pending)
            throw invalid_operation("reset: a task is still pending");
        disarm();
        core_.reset();
        state_.store(pack(core_.version(), Phase::ready), std::memory_order_release);
    }

    /// The token of the current (or next) task.
    Token current_version() const noexcept { return version_of(state_.load(std::memory_order_acquire)); }
    /// True while a task is handed out and not yet completed.
    bool is_pending() const noexcept { return phase(state_.load(std::memory_order_acquire)) == Phase::pending; }

    // ValueTaskSource<T>
    SourceStatus status(Token token) const override { return core_.status(token); }
    void on_completed(Continuation continuation, void* state, Token token, CompletionFlags flags) override {
        core_.on_completed(continuation, state, token, flags);
    }
    void abandon(Token token) noexcept override {
        if (version_of(state_.load(std::memory_order_acquire)) == token) core_.abandon(token);
    }
    T result(Token token) override {
        std::uint64_t seen = state_.load(std::memory_order_acquire);
        if (version_of(seen) != token) throw invalid_operation(detail::stale_token_message(token, version_of(seen)));
        if (phase(seen) == Phase::consumed) throw invalid_operation("result: the task was already consumed");
        if (core_.status(token) == SourceStatus::pending)
            throw invalid_operation("result: the operation has not completed");
        std::uint64_t completed = pack(token, Phase::completed);
        if (!state_.compare_exchange_strong(completed, pack(token, Phase::consumed), std::memory_order_acq_rel))
            throw invalid_operation("result: the task was already consumed");
        disarm();
        Outcome<T> outcome = take_outcome(token);
        after_consumed();  // may reset and return this source to a pool: touch nothing after
        if (!outcome.has_value()) std::rethrow_exception(outcome.error());
        if constexpr (!std::is_void_v<T>) return std::move(outcome.value());
    }

    /// Passed through to the core: never resume inline in the completing call.
    void set_run_continuations_asynchronously(bool on) noexcept { core_.run_continuations_asynchronously = on; }

protected:
    /// Called once per task, after its outcome was taken by the awaiter: the place to
    /// `reset()` and return the source to its pool.
    virtual void after_consumed() noexcept {}
    /// Decides the outcome of a timed-out task; by default it fails with `timeout_error`.
    virtual Outcome<T> on_timeout() { return Outcome<T>::failure(timeout_error()); }
    /// Decides the outcome of a canceled task; by default it fails with `canceled_error`.
    virtual Outcome<T> on_canceled() { return Outcome<T>::failure(canceled_error()); }

private:
    enum class Phase : std::uint8_t { ready, pending, completed, consumed };

    // The version and the phase live in one word so that one compare-exchange both checks
    // "this task" and moves it on: a late timer for version v fails once v is gone. Two
    // bits of phase leave 62 of version: a wrap takes centuries, not seconds.
    static constexpr unsigned phase_bits = 2;
    static constexpr std::uint64_t version_mask = ~std::uint64_t{0} >> phase_bits;
    static constexpr std::uint64_t pack(Token version, Phase phase) noexcept {
        return ((version & version_mask) << phase_bits) | static_cast<std::uint8_t>(phase);
    }
    static constexpr Token version_of(std::uint64_t state) noexcept { return state >> phase_bits; }
    static constexpr Phase phase(std::uint64_t state) noexcept {
        return static_cast<Phase>(state & ((1u << phase_bits) - 1));
    }

    // The abandoned task has completed and its producer is done with the core: consume it
    // as an awaiter would have, so that after_consumed can recycle the source.
    static void finish_abandoned(void* self_ptr) {
        auto* self = static_cast<CompletionSource*>(self_ptr);
        const std::uint64_t seen = self->state_.load(std::memory_order_acquire);
        if (phase(seen) != Phase::completed) return;
        std::uint64_t completed = seen;
        if (!self->state_.compare_exchange_strong(completed, pack(version_of(seen), Phase::consumed),
                                                  std::memory_order_acq_rel))
            return;
        self->disarm();
        self->after_consumed();  // may reset and return this source to a pool: touch nothing after
    }

    struct CancelOnStop {
        CompletionSource* source;
        Token version;
        void operator()() const noexcept { source->complete_through(version, &CompletionSource::on_canceled); }
    };

    bool claim(Token token) noexcept {
        std::uint64_t pending = pack(token, Phase::pending);
        return state_.compare_exchange_strong(pending, pack(token, Phase::completed), std::memory_order_acq_rel);
    }

    bool complete_through(Token token, Outcome<T> (CompletionSource::*decide)()) noexcept {
        if (!claim(token)) return false;
        std::exception_ptr error;
        try {
            Outcome<T> outcome = (this->*decide)();
            if (outcome.has_value()) {
                core_.set_result(std::move(outcome.value()));
                return true;
            }
            error = outcome.error();
            if (!error) error = std::make_exception_ptr(std::invalid_argument("on_timeout/on_canceled: null error"));
        } catch (...) {
            error = std::current_exception();
        }
        core_.set_exception(std::move(error));  // never null here, so it cannot throw
        return true;
    }

    Outcome<T> take_outcome(Token token) noexcept {
        try {
            if constexpr (std::is_void_v<T>) {
                core_.result(token);
                return Outcome<T>(std::monostate{});
            } else {
                return Outcome<T>(core_.result(token));
            }
        } catch (...) {
            return Outcome<T>(std::current_exception());
        }
    }

    static void on_timer(uv_timer_t* timer) {
        auto* self = static_cast<CompletionSource*>(timer->data);
        self->complete_through(self->armed_version_, &CompletionSource::on_timeout);
    }

    // The stop callback may be running on another thread; destroying it waits for that.
    // No lock is held here, so the wait cannot deadlock. The timer is stopped only from
    // its loop; elsewhere it fires later, finds its version gone, and does nothing.
    void disarm() noexcept {
        if (stop_callback_) stop_callback_.reset();
        if (timer_ && std::this_thread::get_id() == loop_thread_) uv_timer_stop(timer_.get());
    }

    ManualResetSourceCore<T> core_;
    std::atomic<std::uint64_t> state_{pack(0, Phase::ready)};
    std::thread::id loop_thread_{};
    uv::Handle<uv_timer_t> timer_;
    Token armed_version_ = 0;
    std::optional<std::stop_callback<CancelOnStop>> stop_callback_;
};

}  // namespace pcm::async
