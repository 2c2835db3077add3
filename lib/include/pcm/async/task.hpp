#pragma once
// A small lazy coroutine type for the daemon's own coroutines (connection handlers,
// sampling loops), and `spawn` to run one detached.
#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <pcm/async/outcome.hpp>

namespace pcm::async {

/// Coroutine frames allocated and freed so far by `Task` and `spawn`. Frames are the one
/// allocation a coroutine cannot avoid; counting them keeps them visible in tests and STATS.
struct FrameCounters {
    std::uint64_t allocated = 0;
    std::uint64_t freed = 0;
};
FrameCounters frame_counters() noexcept;

namespace detail {
void* allocate_frame(std::size_t size);
void free_frame(void* frame, std::size_t size) noexcept;

struct CountedFrame {
    static void* operator new(std::size_t size) { return allocate_frame(size); }
    static void operator delete(void* frame, std::size_t size) noexcept { free_frame(frame, size); }
};

/// At the end of a task, resume whoever awaited it (symmetric transfer: no stack growth).
struct ResumeAwaiter {
    std::coroutine_handle<> awaiting;
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<>) const noexcept {
        return awaiting ? awaiting : std::noop_coroutine();
    }
    void await_resume() const noexcept {}
};

template <class T>
struct TaskPromiseStorage {
    std::optional<T> value;
    template <class U>
    void return_value(U&& v) {
        value.emplace(std::forward<U>(v));
    }
    T take() { return std::move(*value); }
};
template <>
struct TaskPromiseStorage<void> {
    void return_void() noexcept {}
    void take() noexcept {}
};
}  // namespace detail

/// A coroutine that starts when first awaited and resumes its awaiter when it finishes.
/// Its value or exception comes out of `co_await`. Move-only; destroying an unstarted or
/// finished task frees its frame.
template <class T = void>
class [[nodiscard]] Task {
public:
    struct promise_type : detail::CountedFrame, detail::TaskPromiseStorage<T> {
        std::coroutine_handle<> awaiting;
        std::exception_ptr error;

        Task get_return_object() noexcept { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
        std::suspend_always initial_suspend() const noexcept { return {}; }
        detail::ResumeAwaiter final_suspend() const noexcept { return {awaiting}; }
        void unhandled_exception() noexcept { error = std::current_exception(); }
    };

    Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            if (handle_) handle_.destroy();
            handle_ = std::exchange(other.handle_, {});
        }
        return *this;
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task() {
        if (handle_) handle_.destroy();
    }

    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        handle_.promise().awaiting = awaiting;
        return handle_;
    }
    T await_resume() {
        if (handle_.promise().error) std::rethrow_exception(handle_.promise().error);
        return handle_.promise().take();
    }

private:
    explicit Task(std::coroutine_handle<promise_type> handle) noexcept : handle_(handle) {}
    std::coroutine_handle<promise_type> handle_;
};

/// Receives exceptions that escape a spawned task. The default writes them to stderr.
using UnhandledHandler = void (*)(std::exception_ptr);
void set_unhandled_handler(UnhandledHandler handler) noexcept;

namespace detail {
void report_unhandled(const std::exception_ptr& error) noexcept;

struct Detached {
    struct promise_type : CountedFrame {
        Detached get_return_object() const noexcept { return {}; }
        std::suspend_never initial_suspend() const noexcept { return {}; }
        std::suspend_never final_suspend() const noexcept { return {}; }
        void return_void() const noexcept {}
        void unhandled_exception() const noexcept { report_unhandled(std::current_exception()); }
    };
};

inline Detached run_detached(Task<void> task) { co_await std::move(task); }
}  // namespace detail

/// Starts `task` now and lets it run to completion on its own; its frame is freed when it
/// finishes. An exception escaping it goes to the unhandled handler, never further.
inline void spawn(Task<void> task) { detail::run_detached(std::move(task)); }

}  // namespace pcm::async
