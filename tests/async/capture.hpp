#pragma once
// Test helper: a coroutine that awaits a task and records what came out, where and when.
#include <pcm/async/execution_context.hpp>
#include <pcm/async/task.hpp>
#include <pcm/async/value_task.hpp>

#include <atomic>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace pcm::test {

template <class T>
struct Capture {
    std::optional<async::stored_t<T>> value;
    std::exception_ptr error;
    std::atomic<bool> done{false};
    std::thread::id resumed_on;
    std::uint64_t request_id = 0;
};

template <class T>
async::Task<void> await_into(async::ValueTask<T>& task, Capture<T>& out) {
    try {
        if constexpr (std::is_void_v<T>) {
            co_await task;
            out.value.emplace();
        } else {
            out.value.emplace(co_await task);
        }
    } catch (...) {
        out.error = std::current_exception();
    }
    out.resumed_on = std::this_thread::get_id();
    out.request_id = async::ExecutionContext::current().request_id;
    out.done.store(true, std::memory_order_release);
}

/// Starts a coroutine awaiting `task`; it runs until its first suspension.
template <class T>
void start_awaiting(async::ValueTask<T>& task, Capture<T>& out) {
    async::spawn(await_into(task, out));
}

/// Rethrows `error`; a null one becomes a std::logic_error, so that a CHECK_THROWS_AS
/// expecting a specific exception fails cleanly instead of rethrowing nothing (undefined).
[[noreturn]] inline void rethrow(const std::exception_ptr& error) {
    if (!error) throw std::logic_error("no exception was captured");
    std::rethrow_exception(error);
}

/// The message of the exception in `error`, or "" for none.
inline std::string message_of(const std::exception_ptr& error) {
    if (!error) return {};
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    }
}

}  // namespace pcm::test
