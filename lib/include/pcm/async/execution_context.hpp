#pragma once
// The stand-in for .NET's ExecutionContext: the little ambient state (which request a
// piece of work belongs to) that should follow an operation across an await.
#include <cstdint>

namespace pcm::async {

/// Ambient per-thread context. Kept trivially copyable so that capturing it at
/// `on_completed` is a plain copy.
struct ExecutionContext {
    std::uint64_t request_id = 0;

    /// The context of the calling thread.
    static ExecutionContext& current() noexcept;
};

namespace detail {
inline thread_local ExecutionContext thread_context{};
}

inline ExecutionContext& ExecutionContext::current() noexcept { return detail::thread_context; }

/// Installs `context` as the thread's current context for the scope's lifetime.
class ScopedExecutionContext {
public:
    explicit ScopedExecutionContext(const ExecutionContext& context) noexcept : saved_(ExecutionContext::current()) {
        ExecutionContext::current() = context;
    }
    ~ScopedExecutionContext() { ExecutionContext::current() = saved_; }
    ScopedExecutionContext(const ScopedExecutionContext&) = delete;
    ScopedExecutionContext& operator=(const ScopedExecutionContext&) = delete;

private:
    ExecutionContext saved_;
};

}  // namespace pcm::async
